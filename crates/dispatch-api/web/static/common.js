// What the three pages share: the token, calls to the public API (problem+json errors kept
// with their field), the station stream over fetch (EventSource cannot send a bearer token),
// the two languages, clock times, and a Leaflet map drawn from the service's own road data.

import { STRINGS } from "./strings.js";

const TOKEN_KEY = "cc.token";
const LANG_KEY = "cc.lang";

export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value.trim());
  else localStorage.removeItem(TOKEN_KEY);
}

// ---- language ------------------------------------------------------------------------

export function lang() {
  const chosen = localStorage.getItem(LANG_KEY);
  return chosen === "en" ? "en" : "zh";
}

/** The text of `key` in the page's language, `{name}` filled from `vars`. */
export function t(key, vars = {}) {
  const text = STRINGS[lang()][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? "").toString());
}

/** Fills every `data-i18n` element (and `data-i18n-placeholder`, `data-i18n-label`). */
export function translate(root = document) {
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]"))
    el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-label]"))
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
}

/** The language switch: a button that shows the other language and reloads the texts. */
export function languageSwitch(button, onChange) {
  const show = () => (button.textContent = lang() === "zh" ? "English" : "中文");
  show();
  button.addEventListener("click", () => {
    localStorage.setItem(LANG_KEY, lang() === "zh" ? "en" : "zh");
    show();
    translate();
    onChange?.();
  });
}

// ---- the API -------------------------------------------------------------------------

/**
 * An answer that was not 2xx: the status and the problem's detail and field; `retryAfter`
 * (seconds) when the same request should be sent again later (its Idempotency-Key is
 * still being answered).
 */
export class ApiError extends Error {
  constructor(status, problem, retryAfter = null) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.field = problem.field;
    /** The rule of the day a refused change would break (`skills`, `time_window`, …). */
    this.rule = problem.rule;
    this.retryAfter = retryAfter;
  }
}

/**
 * The sign-in form and the sign-out button every signed-in page has: `enter` runs once a
 * token is stored; `forget` clears what the page kept besides the token.
 */
export function setUpSignIn(enter, forget = () => {}) {
  document.getElementById("signout").onclick = () => {
    setToken(null);
    forget();
    location.reload();
  };
  document.getElementById("signin-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    setToken(document.getElementById("token").value);
    await enter();
  });
}

/** Calls the API with the token; JSON in and out. Network failures throw TypeError. */
export async function api(path, { method = "GET", body, headers = {}, raw = false } = {}) {
  const h = { ...headers };
  const tok = token();
  if (tok) h.Authorization = `Bearer ${tok}`;
  if (body !== undefined) h["Content-Type"] = "application/json";
  // The service writes problems' details in the page's language.
  h["Accept-Language"] = lang() === "en" ? "en" : "zh-CN";
  const response = await fetch(path, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      problem = { title: response.statusText };
    }
    const retry = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
    throw new ApiError(response.status, problem, Number.isFinite(retry) ? retry : null);
  }
  return raw ? response : response.json();
}

/** Every item of a paged listing. */
export async function listAll(path) {
  const items = [];
  let cursor = null;
  const sep = path.includes("?") ? "&" : "?";
  do {
    const page = await api(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...page.items);
    cursor = page.next ?? null;
  } while (cursor);
  return items;
}

/** A fresh Idempotency-Key: a retried write is done once. */
export function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

/**
 * Follows a Server-Sent Events stream, resuming after the last event id when the connection
 * drops. `onEvent(kind, data, id)`; `onState("live" | "reconnecting")`. Returns a stop().
 */
export function follow(path, onEvent, onState = () => {}) {
  let lastId = null;
  let stopped = false;
  let controller = null;
  (async () => {
    let backoff = 500;
    while (!stopped) {
      controller = new AbortController();
      try {
        const headers = { Authorization: `Bearer ${token()}`, Accept: "text/event-stream" };
        if (lastId !== null) headers["Last-Event-ID"] = lastId;
        const response = await fetch(path, { headers, signal: controller.signal });
        if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
        onState("live");
        backoff = 500;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let kind = "message";
            let id = null;
            const data = [];
            for (const line of block.split("\n")) {
              if (line.startsWith("event:")) kind = line.slice(6).trim();
              else if (line.startsWith("id:")) id = line.slice(3).trim();
              else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
            }
            if (id !== null) lastId = id;
            if (data.length === 0) continue;
            let parsed;
            try {
              parsed = JSON.parse(data.join("\n"));
            } catch {
              parsed = data.join("\n");
            }
            onEvent(kind, parsed, id);
          }
        }
      } catch (e) {
        if (stopped) return;
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          onState("denied", e);
          return;
        }
      }
      if (stopped) return;
      onState("reconnecting");
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 10_000);
    }
  })();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

// ---- times and names ------------------------------------------------------------------

/** `HH:MM` of seconds from midnight. */
export function hhmm(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

/** Seconds from midnight of `HH:MM`, or null. */
export function seconds(text) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m || +m[1] > 47 || +m[2] > 59) return null;
  return +m[1] * 3600 + +m[2] * 60;
}

/** `h:mm` of a duration. */
export function duration(s) {
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`;
}

export function serviceName(kind) {
  return t(`service.${kind}`) === `service.${kind}` ? kind : t(`service.${kind}`);
}

/**
 * What an alert reports, in the page's language: from its code and parameters (clock times for
 * seconds, `names.visit` and `names.caregiver` for ids); the server's English `detail` only for
 * a code the page does not know.
 */
export function alertSaid(a, names = { visit: (id) => id, caregiver: (id) => id }) {
  const key = `alertcode.${a.code}`;
  const p = a.params ?? {};
  if (!a.code || !(key in STRINGS.en)) return a.detail;
  const vars = { ...p };
  for (const k of ["planned_start", "window_end", "check_in", "since"]) if (k in p) vars[k] = hhmm(p[k]);
  if (p.visit) vars.visit = names.visit(p.visit);
  if (p.caregiver) vars.caregiver = names.caregiver(p.caregiver);
  vars.comment = p.comment ? `: ${p.comment}` : "";
  return t(key, vars);
}

export function escapeHtml(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** The `i`-th of a few colours (the planner's stations), well apart from the one before. */
export function colour(i) {
  return `hsl(${(i * 137.508) % 360}, 70%, 40%)`;
}

/** Fourteen colours told apart on a light map (Trubetskoy's, without the pale ones). */
export const PALETTE = [
  "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
  "#9a6324", "#469990", "#800000", "#808000", "#000075", "#bfef45", "#a9a9a9",
];

/**
 * A colour for each of `items` ({id, x, y}: where its route lies) such that neighbours differ:
 * each takes the palette colour whose nearest holder is farthest away, so a colour repeats
 * only across the map once there are more routes than colours.
 */
export function spreadColours(items) {
  const holders = PALETTE.map(() => []);
  const colours = new Map();
  for (const it of items) {
    let best = 0;
    let bestGap = -1;
    holders.forEach((held, k) => {
      let gap = Infinity;
      for (const h of held) gap = Math.min(gap, (h.x - it.x) ** 2 + (h.y - it.y) ** 2);
      if (gap > bestGap) [best, bestGap] = [k, gap];
    });
    holders[best].push(it);
    colours.set(it.id, PALETTE[best]);
  }
  return colours;
}

// ---- maps ----------------------------------------------------------------------------

const PI = Math.PI;
const A = 6378245.0;
const EE = 0.00669342162296594323;

function outOfChina(lon, lat) {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

/** WGS-84 to GCJ-02 (the offset Chinese map tiles are drawn in); outside China unchanged. */
export function wgs84ToGcj02(lon, lat) {
  if (outOfChina(lon, lat)) return [lon, lat];
  const x = lon - 105.0;
  const y = lat - 35.0;
  let dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  dLat += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  dLat += ((20.0 * Math.sin(y * PI) + 40.0 * Math.sin((y / 3.0) * PI)) * 2.0) / 3.0;
  dLat += ((160.0 * Math.sin((y / 12.0) * PI) + 320 * Math.sin((y * PI) / 30.0)) * 2.0) / 3.0;
  let dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  dLon += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  dLon += ((20.0 * Math.sin(x * PI) + 40.0 * Math.sin((x / 3.0) * PI)) * 2.0) / 3.0;
  dLon += ((150.0 * Math.sin((x / 12.0) * PI) + 300.0 * Math.sin((x / 30.0) * PI)) * 2.0) / 3.0;
  const radLat = (lat / 180.0) * PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * PI);
  dLon = (dLon * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * PI);
  return [lon + dLon, lat + dLat];
}

/**
 * The optional tile layer, set by opening any page once with `?tiles=URL-TEMPLATE` (an https
 * `{z}/{x}/{y}` template) and `&tiles_crs=gcj02` for Chinese providers (the overlay is then
 * shifted to match); kept in localStorage, removed with `?tiles=`. Without it the map draws
 * only the service's own roads: nothing is fetched. Read once: `ll` runs for every point.
 */
const TILES = (() => {
  const query = new URLSearchParams(location.search);
  if (query.has("tiles")) {
    const url = query.get("tiles");
    if (url) {
      localStorage.setItem("cc.tiles", url);
      localStorage.setItem("cc.tiles.crs", query.get("tiles_crs") ?? "wgs84");
    } else {
      localStorage.removeItem("cc.tiles");
      localStorage.removeItem("cc.tiles.crs");
    }
  }
  return { url: localStorage.getItem("cc.tiles"), gcj02: localStorage.getItem("cc.tiles.crs") === "gcj02" };
})();

/** A point for the map: `[lat, lon]` in the tiles' datum. */
export function ll(lon, lat) {
  if (TILES.gcj02) {
    const [x, y] = wgs84ToGcj02(lon, lat);
    return [y, x];
  }
  return [lat, lon];
}

/** A Leaflet map in `element` showing the station's roads and circle (from `/map`). */
export function stationMap(element, area) {
  const L = window.L;
  const map = L.map(element, { preferCanvas: true, zoomSnap: 0.25, attributionControl: true });
  if (TILES.url) L.tileLayer(TILES.url, { maxZoom: 19 }).addTo(map);
  map.attributionControl.addAttribution(area.attribution ?? "© OpenStreetMap contributors");
  if (area.roads) {
    const lines = area.roads.geometry.coordinates.map((line) => line.map(([x, y]) => ll(x, y)));
    L.polyline(lines, { color: "#9aa3ad", weight: 1, interactive: false }).addTo(map);
  }
  if (area.circle) {
    const ring = area.circle.geometry.coordinates[0].map(([x, y]) => ll(x, y));
    L.polygon(ring, { color: "#1d6fb8", weight: 2, fillOpacity: 0.06, interactive: false }).addTo(map);
  }
  const [w, s, e, n] = area.bbox;
  map.fitBounds([ll(w, s), ll(e, n)], { animate: false });
  return map;
}
