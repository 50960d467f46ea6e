// The station dispatcher's console: the station's map, the day's timeline per caregiver, the
// plan's figures, unassigned visits with their reasons, alerts, and what moved — kept live by
// the station's event stream. Everything goes through the public API.

import {
  api, listAll, follow, newKey, token, setToken, setUpSignIn, t, lang, translate, languageSwitch, hhmm, duration,
  serviceName, escapeHtml, ll, stationMap, ApiError, seconds, spreadColours, alertSaid,
} from "./common.js";
import { dropStart } from "./timeline.js";
import { showCentre } from "./centre.js";

const $ = (id) => document.getElementById(id);
const SERVICES = ["meal", "cleaning", "bathing", "escort", "medical", "personal_care"];
// For the render benchmark: milliseconds from the navigation's start to the first complete
// render, and (with `?perf`) every frame's duration since.
const perf = (window.ccPerf = { firstRender: null, frames: [], updates: [] });

/** Runs `draw` and notes how long its script took, under `kind`. */
function timed(kind, draw) {
  const t0 = performance.now();
  draw();
  if (perf.updates.length < 20000) perf.updates.push({ kind, ms: performance.now() - t0 });
}

const state = {
  me: null,
  station: null,
  date: null,
  area: null,
  day: null, // GET /v1/stations/{id}/plan
  caregivers: new Map(),
  orders: new Map(),
  clients: new Map(),
  alerts: new Map(),
  positions: [],
  moves: [],
  colours: new Map(),
  map: null,
  layers: null, // the routes, one layer group per caregiver (routeLayers)
  routeLayers: new Map(), // caregiver → { signature, layer }
  paths: new Map(), // caregiver → { places, line }: their route on the roads
  chosen: null, // the caregiver shown alone on the map
  positionLayer: null,
  stopStream: null,
};

// ---- start ---------------------------------------------------------------------------

function show(which) {
  for (const id of ["signin", "message", "desk", "centre"]) $(id).hidden = id !== which;
  $("signout").hidden = which === "signin";
}

function message(text, canPlan = false) {
  $("message-text").textContent = text;
  $("make-plan").hidden = !canPlan;
  show("message");
}

async function start() {
  translate();
  languageSwitch($("lang"), () => {
    showLive();
    if (state.day) render();
    state.redrawCentre?.();
  });
  setUpSignIn(enter);
  if (new URLSearchParams(location.search).has("perf")) measureFrames();
  if (token()) await enter();
  else show("signin");
}

async function enter() {
  try {
    state.me = await api("/v1/me");
  } catch (e) {
    setToken(null);
    $("signin-error").textContent = t("signin.bad", { why: e.message });
    show("signin");
    return;
  }
  if (state.me.role === "caregiver") {
    location.replace("/m/");
    return;
  }
  if (state.me.role === "planner") {
    location.replace("/plan/");
    return;
  }
  const params = new URLSearchParams(location.search);
  state.date = params.get("date") || state.me.today;
  // Someone who sees several stations (an admin, the centre's dispatchers) starts on the
  // centre's view of them all ("*"); a station's dispatcher on their station.
  const several = state.me.stations.length > 1;
  state.station = params.get("station") || (several ? "*" : state.me.stations[0]);
  if (!state.station) {
    message(t("noaccess", { station: "–" }));
    return;
  }
  const pick = $("station");
  const all = several ? `<option value="*">${escapeHtml(t("centre.all"))}</option>` : "";
  pick.innerHTML = all + state.me.stations.map((s) => `<option>${escapeHtml(s)}</option>`).join("");
  pick.value = state.station;
  $("station-pick").hidden = !several;
  const open = (station) => {
    params.set("station", station);
    location.search = params.toString();
  };
  pick.onchange = () => open(pick.value);
  // Another day: the date picker opens the console on it.
  $("day").value = state.date;
  $("day").onchange = () => {
    if (!$("day").value) return;
    params.set("date", $("day").value);
    location.search = params.toString();
  };
  if (state.station === "*" && several) {
    show("centre");
    state.redrawCentre = await showCentre(state.me, state.date, open);
    return;
  }
  await load();
}

/** The stream's state in the page's language. */
function showLive() {
  if (state.live) $("live").textContent = t(state.live === "live" ? "live.live" : "live.reconnecting");
}

/** Everything the desk shows, read once; the stream keeps it current afterwards. */
async function load() {
  const s = encodeURIComponent(state.station);
  // The stream is opened first and its events held until the first render, so nothing that
  // happens while the day is read is lost (the stream starts at the moment it connects).
  const held = [];
  let rendered = false;
  let connected;
  const live = new Promise((resolve) => (connected = resolve));
  state.stopStream = follow(
    `/v1/stations/${s}/events`,
    (kind, data) => (rendered ? timed(kind, () => onEvent(kind, data)) : held.push([kind, data])),
    (st) => {
      state.live = st;
      showLive();
      $("live").className = `live ${st}`;
      if (st === "live") connected();
    },
  );
  try {
    const [area, caregivers, alerts, positions] = await Promise.all([
      api(`/v1/stations/${s}/map`),
      listAll(`/v1/caregivers?station=${s}`),
      api(`/v1/stations/${s}/alerts?date=${state.date}`),
      api(`/v1/stations/${s}/positions?date=${state.date}`),
    ]);
    state.area = area;
    for (const c of area.clients) state.clients.set(c.id, c);
    for (const c of caregivers) state.caregivers.set(c.id, c);
    for (const a of alerts.alerts) state.alerts.set(a.dedup, a);
    state.positions = positions.positions;
  } catch (e) {
    state.stopStream();
    if (e instanceof ApiError && (e.status === 403 || e.status === 404)) {
      message(t("noaccess", { station: state.station }));
      document.body.dataset.denied = "1";
      return;
    }
    throw e;
  }
  // No plan yet: say so, offer to make one, and look again until one is done.
  while (!(await loadPlan())) await new Promise((r) => setTimeout(r, 2000));
  chooseColours();
  show("desk");
  setUpMap();
  render();
  setUpActions();
  // Complete means painted: Leaflet draws its canvas in the next frame, so wait that one out.
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  perf.firstRender = performance.now();
  loadPaths();
  await live;
  rendered = true;
  for (const [kind, data] of held) onEvent(kind, data);
  document.body.dataset.ready = "1";
}

/** The day's current plan and the orders it names; false (with a message) when none. */
async function loadPlan() {
  try {
    state.day = await api(`/v1/stations/${encodeURIComponent(state.station)}/plan?date=${state.date}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      message(t("noplan", { date: state.date }), true);
      $("make-plan").onclick = makePlan;
      return false;
    }
    throw e;
  }
  const visits = [
    // A meal's pick-up is a stop on the way to its order, not an order of its own.
    ...state.day.plan.routes.flatMap((r) => r.stops.map((s) => s.pickup_for ?? s.visit)),
    ...state.day.plan.unassigned.map((u) => u.visit),
  ];
  if (visits.some((v) => !state.orders.has(v))) {
    const missing = visits.filter((v) => !state.orders.has(v));
    if (missing.length > 20) {
      for (const o of await listAll(`/v1/orders?station=${encodeURIComponent(state.station)}&date=${state.date}`))
        state.orders.set(o.id, o);
    } else {
      await Promise.all(missing.map(async (v) => state.orders.set(v, await api(`/v1/orders/${encodeURIComponent(v)}`))));
    }
  }
  return true;
}

async function makePlan() {
  $("make-plan").disabled = true;
  $("message-text").textContent = t("plan.making");
  const made = await api("/v1/plans", { method: "POST", body: { station: state.station, date: state.date } });
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const p = await api(`/v1/plans/${made.id}`);
    if (p.status === "done" || p.status === "failed") break;
  }
}

// ---- live ----------------------------------------------------------------------------

let reloadTimer = null;
const dirty = new Set();

/**
 * Draws `parts` (render functions) once in the next frame, however many events asked: the
 * alert scan raises a late morning's alerts in one burst, which must cost one redraw, not one
 * per alert.
 */
function redraw(...parts) {
  const queued = dirty.size > 0;
  for (const p of parts) dirty.add(p);
  if (queued) return;
  requestAnimationFrame(() => {
    const now = [...dirty];
    dirty.clear();
    for (const draw of now) timed(draw.name, draw);
  });
}

function onEvent(kind, data) {
  if (data && data.date && data.date !== state.date) return;
  switch (kind) {
    case "plan":
      state.moves.unshift({
        key: "moves.plan",
        vars: { at: hhmm(clockNow()), inserted: data.inserted, moved: data.moved },
        reason: data.reason,
      });
      planChanged();
      break;
    case "assignment":
      state.moves.unshift(moved(data.visit, data.caregiver, data.start));
      redraw(renderMoves);
      break;
    case "alert":
      state.alerts.set(data.dedup, data);
      redraw(renderAlerts);
      break;
    case "alert_ack": {
      const a = state.alerts.get(data.dedup);
      if (a) Object.assign(a, { acked_by: data.by, acked_at: data.at });
      redraw(renderAlerts);
      break;
    }
    case "check-in":
    case "check-out": {
      const p = state.day.progress.find((x) => x.visit === data.visit);
      if (kind === "check-in" && !p)
        state.day.progress.push({ visit: data.visit, caregiver: data.caregiver, check_in: data.at, check_out: null });
      if (kind === "check-out" && p) p.check_out = data.at;
      const pos = state.positions.find((x) => x.caregiver === data.caregiver);
      if (pos) Object.assign(pos, { lon: data.lon, lat: data.lat, at: data.at });
      else state.positions.push({ caregiver: data.caregiver, lon: data.lon, lat: data.lat, at: data.at });
      redraw(renderTimeline, renderPositions);
      break;
    }
    case "lock":
      state.day.locked = data.locked
        ? [...new Set([...state.day.locked, data.visit])]
        : state.day.locked.filter((v) => v !== data.visit);
      redraw(renderTimeline);
      break;
    default:
      break;
  }
}

const loadedAt = Date.now();

/** The service's time of day now (the demo's clock may not be the wall clock). */
function clockNow() {
  return state.me.now + (Date.now() - loadedAt) / 1000;
}

/** A new plan version: read it once the burst of events around it has passed. */
function planChanged() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(async () => {
    await loadPlan();
    timed("plan-render", render);
    loadPaths();
  }, 100);
}

// ---- drawing -------------------------------------------------------------------------

/**
 * Each caregiver's colour, once per page: routes that lie near each other get colours far
 * apart in the palette (where a route lies: the middle of its clients' homes).
 */
function chooseColours() {
  const byCaregiver = new Map(state.day.plan.routes.map((r) => [r.caregiver, r]));
  const home = state.area.station;
  const items = [...state.caregivers.keys()].map((id) => {
    const homes = (byCaregiver.get(id)?.stops ?? [])
      .map((s) => state.clients.get(state.orders.get(s.pickup_for ?? s.visit)?.client))
      .filter(Boolean);
    const n = homes.length || 1;
    const x = homes.length ? homes.reduce((a, c) => a + c.lon, 0) / n : home.lon;
    const y = homes.length ? homes.reduce((a, c) => a + c.lat, 0) / n : home.lat;
    return { id, x, y };
  });
  state.colours = spreadColours(items);
}

/**
 * The day's routes on the roads: all of them after the first render (straight lines until
 * then), afterwards only those whose places changed.
 */
async function loadPaths() {
  const s = encodeURIComponent(state.station);
  const routes = new Map(state.day.plan.routes.map((r) => [r.caregiver, r]));
  const stale = [...routes.values()].filter((r) => state.paths.get(r.caregiver)?.places !== placesOf(r));
  if (stale.length === 0) return;
  const only = state.paths.size ? `&caregivers=${stale.map((r) => encodeURIComponent(r.caregiver)).join(",")}` : "";
  let geo;
  try {
    geo = await api(`/v1/stations/${s}/routes.geojson?date=${state.date}${only}`);
  } catch {
    return; // Straight lines stay: the map is still right, only less exact.
  }
  // A county's hundred road paths are drawn a score per frame, so the page never stalls.
  const features = geo.features.filter((f) => routes.has(f.properties.caregiver) && f.properties.roads);
  for (let i = 0; i < features.length; i += 20) {
    if (i > 0) await new Promise((next) => requestAnimationFrame(next));
    timed("paths", () => {
      for (const f of features.slice(i, i + 20)) {
        const r = routes.get(f.properties.caregiver);
        state.paths.set(r.caregiver, { places: placesOf(r), line: f.geometry.coordinates.map(([x, y]) => ll(x, y)) });
      }
      renderRoutes();
    });
  }
}

/** The order of a route's places, which its road path depends on (not its times). */
function placesOf(route) {
  return route.stops.map((s) => s.visit).join(",");
}

function name(id) {
  const c = state.caregivers.get(id);
  return c?.name ? `${c.name}` : id;
}

function render() {
  renderKpis();
  renderTimeline();
  renderUnassigned();
  renderAlerts();
  renderMoves();
  renderRoutes();
}

function renderKpis() {
  const k = state.day.kpis;
  const rows = [
    ["kpi.served", `${k.visits_served} / ${k.visits_total}`],
    ["kpi.caregivers", `${k.caregivers_used} / ${state.caregivers.size}`],
    ["kpi.travel", duration(k.travel_time)],
    ["kpi.distance", `${(k.travel_distance / 1000).toFixed(1)} km`],
    ["kpi.leg", `${duration(k.longest_leg)} / ${k.max_leg_limit ? duration(k.max_leg_limit) : "–"}`],
    ["kpi.fair", `${duration(k.fairness?.working_min ?? 0)} – ${duration(k.fairness?.working_max ?? 0)}`],
  ];
  $("kpis").innerHTML = rows
    .map(([key, value]) => `<div><dt>${t(key)}</dt><dd data-kpi="${key}">${escapeHtml(value)}</dd></div>`)
    .join("");
}

function visitState(progress, visit) {
  const p = progress.get(visit);
  if (!p) return "planned";
  return p.check_out === null || p.check_out === undefined ? "started" : "done";
}

/**
 * Sets `container`'s children to `parts` (one element's HTML each), replacing only those
 * whose HTML changed: a check-in or a re-plan that moves two caregivers redraws two rows of
 * three hundred, not all of them.
 */
function patchChildren(container, parts) {
  const drawn = container.drawnParts;
  if (!drawn || drawn.length !== parts.length) {
    container.innerHTML = parts.join("");
  } else {
    parts.forEach((html, i) => {
      if (drawn[i] !== html) container.children[i].outerHTML = html;
    });
  }
  container.drawnParts = parts;
}

/** More rows than this and the timeline is compact unless the dispatcher says otherwise. */
const CROWDED = 40;
const measured = new Map();
let pen = null;

/** The first of `candidates` (longest first) that fits `px` in `font`; "" when none does. */
function fitLabel(candidates, px, font) {
  pen ??= document.createElement("canvas").getContext("2d");
  if (measured.size > 50000) measured.clear();
  for (const text of candidates) {
    const key = `${font}|${text}`;
    let width = measured.get(key);
    if (width === undefined) {
      pen.font = font;
      width = pen.measureText(text).width;
      measured.set(key, width);
    }
    if (width <= px) return text;
  }
  return "";
}

/**
 * The bars' font and the width of a track in pixels, measured once (and again after a resize
 * or a switch to or from compact): measuring forces a layout, which a check-in's redraw of
 * one row must not pay for.
 */
function barMetrics(compact) {
  if (state.metrics?.compact === compact) return state.metrics;
  const rem = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  const font = `${(compact ? 0.6 : 0.65) * rem}px ${getComputedStyle(document.body).fontFamily}`;
  const trackPx = Math.max(0, $("timeline").clientWidth - 8 * rem);
  state.metrics = { compact, font, trackPx };
  return state.metrics;
}

/** Whether the timeline is compact: chosen by the dispatcher, else when crowded. */
function isCompact() {
  return state.compact ?? state.caregivers.size > CROWDED;
}

function renderTimeline() {
  const routes = state.day.plan.routes;
  const compact = isCompact();
  $("timeline").classList.toggle("compact", compact);
  $("compact").setAttribute("aria-pressed", String(compact));
  // Bar labels are measured, not cut: the longest that fits the bar is written (time, service
  // and client; service and client; the service; its one-sign short name), else none — the
  // title and the screen reader's label always have all of it.
  const { font, trackPx } = barMetrics(compact);
  const from = Math.floor(Math.min(...routes.map((r) => r.departure), 8 * 3600) / 3600) * 3600;
  const to = Math.ceil(Math.max(...routes.map((r) => r.return_time), 18 * 3600) / 3600) * 3600;
  state.span = { from, to };
  $("timeline").dataset.span = JSON.stringify(state.span);
  const x = (s) => `${(((s - from) / (to - from)) * 100).toFixed(3)}%`;
  const w = (a, b) => `${(((b - a) / (to - from)) * 100).toFixed(3)}%`;
  const locked = new Set(state.day.locked);
  const progress = new Map(state.day.progress.map((p) => [p.visit, p]));
  const hours = [];
  for (let h = from; h <= to; h += 3600) hours.push(`<span style="left:${x(h)}">${hhmm(h)}</span>`);
  const now = clockNow();
  const rows = [`<div class="row axis"><div class="who"></div><div class="track">${hours.join("")}</div></div>`];
  const share = (now - from) / (to - from);
  rows.push(
    now >= from && now <= to
      ? `<i class="now" style="left:calc(8rem + (100% - 8rem) * ${share.toFixed(4)})" title="${hhmm(now)}"></i>`
      : `<i class="now" hidden></i>`,
  );
  const byCaregiver = new Map(routes.map((r) => [r.caregiver, r]));
  for (const [id] of state.caregivers) {
    const r = byCaregiver.get(id);
    const c = state.colours.get(id);
    const parts = [];
    if (r) {
      let at = r.departure;
      r.stops.forEach((s, i) => {
        if (r.break_start !== undefined && r.break_after === i) {
          parts.push(`<span class="break" style="left:${x(r.break_start)};width:${w(r.break_start, r.break_start + 1800)}" title="${t("timeline.break")}"></span>`);
        }
        parts.push(`<span class="travel" style="left:${x(at)};width:${w(at, s.arrival)};background:${c}" title="${t("timeline.travel")}"></span>`);
        const o = state.orders.get(s.pickup_for ?? s.visit);
        const client = state.clients.get(o?.client);
        const what = s.pickup_for ? t("timeline.pickup") : serviceName(o?.service);
        const two = o?.caregivers === 2 ? ` (${t("timeline.two")})` : "";
        const label = `${hhmm(s.start)} ${what} ${client?.name ?? o?.client ?? ""}${two}`;
        const short = s.pickup_for ? t("timeline.pickup.short") : t(`service.short.${o?.service}`);
        const barPx = (trackPx * (s.end - s.start)) / (to - from) - 8;
        const shown = fitLabel([label, `${what} ${client?.name ?? ""}`, what, short], barPx, font);
        const st = visitState(progress, s.visit);
        // Dragged onto another row (or along its own) it is assigned there; a pick-up and a
        // two-caregiver visit move with their other half, a started or locked one not at all
        // (the service refuses both: unlock first).
        const movable = !s.pickup_for && o?.caregivers !== 2 && st === "planned" && s.start > now && !locked.has(s.visit);
        parts.push(
          `<button type="button" class="visit ${s.pickup_for ? "pickup " : ""}${st}${locked.has(s.visit) ? " locked" : ""}" data-visit="${escapeHtml(s.pickup_for ?? s.visit)}" draggable="${movable}" ` +
            `style="left:${x(s.start)};width:${w(s.start, s.end)};border-color:${c}" ` +
            `title="${escapeHtml(label)}" aria-label="${escapeHtml(label)}">${escapeHtml(shown)}</button>`,
        );
        at = s.end;
      });
      parts.push(`<span class="travel" style="left:${x(at)};width:${w(at, r.return_time)};background:${c}"></span>`);
    }
    rows.push(
      `<div class="row${state.chosen === id ? " chosen" : ""}"><button type="button" class="who" data-caregiver="${escapeHtml(id)}" style="border-left-color:${c}" title="${escapeHtml(name(id))}">${escapeHtml(name(id))}</button>` +
        `<div class="track">${parts.join("")}</div></div>`,
    );
  }
  patchChildren($("timeline"), rows);
  findInDay($("find").value);
}

/** Moves the "now" line to the service's time: every few seconds, quiet or not. */
function moveNowLine() {
  const line = $("timeline").querySelector(".now");
  if (!line || !state.span) return;
  const now = clockNow();
  const share = (now - state.span.from) / (state.span.to - state.span.from);
  line.hidden = !(share >= 0 && share <= 1);
  line.style.left = `calc(8rem + (100% - 8rem) * ${share.toFixed(4)})`;
  line.title = hhmm(now);
}

/** Marks the visits (by visit id, client id, name or address) and caregivers (by id or name)
 *  that hold `text`, and dims the rest; says how many. */
function findInDay(text) {
  const q = text.trim().toLowerCase();
  const timeline = $("timeline");
  // Nothing sought now or before: nothing to mark or clear (every redraw comes here).
  if (!q && !timeline.classList.contains("searching")) return;
  timeline.classList.toggle("searching", q.length > 0);
  let found = 0;
  const mark = (el, hay) => {
    const hit = q.length > 0 && hay.filter(Boolean).join(" ").toLowerCase().includes(q);
    el.classList.toggle("match", hit);
    if (hit) found += 1;
  };
  for (const b of timeline.querySelectorAll("button.visit")) {
    const o = state.orders.get(b.dataset.visit);
    const client = state.clients.get(o?.client);
    mark(b, [b.dataset.visit, o?.client, client?.name, client?.address]);
  }
  for (const who of timeline.querySelectorAll("button.who")) {
    const c = state.caregivers.get(who.dataset.caregiver);
    mark(who.closest(".row"), [who.dataset.caregiver, c?.name]);
  }
  $("find-count").textContent = q ? t("find.count", { n: found }) : "";
  if (q) timeline.querySelector(".match")?.scrollIntoView({ block: "nearest" });
}

/** The day as a spreadsheet (the service's CSV, in the page's language). */
async function exportDay() {
  const s = encodeURIComponent(state.station);
  const en = lang() === "en" ? "&lang=en" : "";
  const response = await api(`/v1/stations/${s}/plan?date=${state.date}&format=csv${en}`, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = `carecircle-${state.station}-${state.date}.csv`;
  a.click();
  URL.revokeObjectURL(url);
}

/** A caregiver's day on paper: times, client, address, service and notes of every stop. */
function printSheet(id) {
  const route = state.day.plan.routes.find((r) => r.caregiver === id);
  const rows = (route?.stops ?? []).map((s) => {
    const o = state.orders.get(s.pickup_for ?? s.visit);
    const client = state.clients.get(o?.client);
    const what = s.pickup_for ? t("timeline.pickup") : serviceName(o?.service);
    const cells = [`${hhmm(s.start)}–${hhmm(s.end)}`, client?.name ?? o?.client ?? "", client?.address ?? "", what, o?.notes ?? ""];
    return `<tr data-visit="${escapeHtml(s.visit)}">${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`;
  });
  const times = route ? `${t("phone.depart", { at: hhmm(route.departure) })} · ${t("phone.back", { at: hhmm(route.return_time) })}` : t("phone.none");
  const heads = ["print.time", "order.client", "print.address", "order.service", "order.notes"].map((k) => `<th>${t(k)}</th>`);
  $("print-sheet").innerHTML =
    `<h1>${escapeHtml(t("print.title", { caregiver: name(id), date: state.date }))}</h1><p>${escapeHtml(state.station)} · ${times}</p>` +
    `<table><thead><tr>${heads.join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
  $("print-sheet").hidden = false;
  $("caregiver-dialog").close();
  window.print();
}

function renderUnassigned() {
  const list = state.day.plan.unassigned;
  $("unassigned").innerHTML = list.length
    ? list
        .map((u) => {
          const o = state.orders.get(u.visit);
          return `<li data-visit="${escapeHtml(u.visit)}"><b>${escapeHtml(u.visit)}</b> ${escapeHtml(serviceName(o?.service))} · ${escapeHtml(state.clients.get(o?.client)?.name ?? o?.client ?? "")}<br><span class="why">${escapeHtml(t(`why.${u.reason}`))}</span></li>`;
        })
        .join("")
    : `<li class="none">${t("unassigned.none")}</li>`;
}

function renderAlerts() {
  const alerts = [...state.alerts.values()].sort((a, b) => b.at - a.at);
  $("alerts").innerHTML = alerts.length
    ? alerts
        .map((a) => {
          const acked = a.acked_by
            ? `<span class="acked">${escapeHtml(t("alerts.acked", { by: a.acked_by, at: hhmm(a.acked_at) }))}</span>`
            : `<button type="button" class="ack" data-alert="${escapeHtml(a.dedup)}">${t("alerts.ack")}</button>`;
          return `<li class="alert ${a.acked_by ? "is-acked" : "open"}" data-dedup="${escapeHtml(a.dedup)}" data-code="${escapeHtml(a.code ?? a.kind)}" data-at="${a.at}"><b>${hhmm(a.at)} ${escapeHtml(t(`alert.${a.kind}`))}</b> ${escapeHtml(name(a.caregiver))}<br><span>${escapeHtml(alertText(a))}</span> ${acked}</li>`;
        })
        .join("")
    : `<li class="none">${t("alerts.none")}</li>`;
}

/** An alert in the page's language, with the desk's names for visits and caregivers. */
function alertText(a) {
  return alertSaid(a, { visit: visitLabel, caregiver: name });
}

/** A visit that went to `caregiver` at `start`, for "what moved". */
function moved(visit, caregiver, start) {
  return { key: "moves.assign", visit, vars: { caregiver: name(caregiver) || "–", start: hhmm(start) } };
}

/** A visit as people know it: the client's name and the service (its id when unknown). */
function visitLabel(visit) {
  const o = state.orders.get(visit);
  const client = state.clients.get(o?.client);
  return o ? `${client?.name ?? o.client} ${serviceName(o.service)}` : visit;
}

/** "What moved", in the page's language at the time it is drawn (entries keep their keys). */
function renderMoves() {
  const said = (m) => {
    const vars = { ...m.vars };
    if (m.reason) vars.reason = t(`reason.${m.reason}`);
    if (m.visit) vars.visit = visitLabel(m.visit);
    return t(m.key, vars);
  };
  $("moves").innerHTML = state.moves.length
    ? state.moves
        .slice(0, 50)
        .map((m) => `<li${m.visit ? ` data-visit="${escapeHtml(m.visit)}" title="${escapeHtml(m.visit)}"` : ""}>${escapeHtml(said(m))}</li>`)
        .join("")
    : `<li class="none">${t("moves.none")}</li>`;
}

function setUpMap() {
  const L = window.L;
  state.map = stationMap($("map"), state.area);
  // A station on its own matrix: straight legs, no deviation alerts; say so under the map.
  $("map-note").hidden = state.area.travel?.legs !== "straight";
  $("map-note").textContent = t("map.straight");
  const home = state.area.station;
  L.circleMarker(ll(home.lon, home.lat), { radius: 8, color: "#000", fillColor: "#ffd400", fillOpacity: 1, weight: 2 })
    .bindTooltip(home.name ?? home.id)
    .addTo(state.map);
  for (const c of state.area.clients)
    L.circleMarker(ll(c.lon, c.lat), { radius: 2, color: "#666", weight: 1, interactive: false }).addTo(state.map);
  state.layers = L.layerGroup().addTo(state.map);
  // Positions on a canvas of their own, above the routes: a check-in moves one dot, and
  // redrawing it must not redraw every road path of the day.
  state.map.createPane("positions").style.zIndex = 450;
  state.positionRenderer = L.canvas({ pane: "positions" });
  state.positionLayer = L.layerGroup().addTo(state.map);
  // The legend sits on the map; a click on it, or on a route, shows that caregiver alone.
  const legend = L.control({ position: "topright" });
  legend.onAdd = () => {
    const box = L.DomUtil.create("nav", "legend");
    box.id = "legend";
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    box.addEventListener("click", (e) => {
      const id = e.target.closest("[data-caregiver]")?.dataset.caregiver;
      if (id) choose(id);
    });
    return box;
  };
  legend.addTo(state.map);
}

/**
 * Today's routes as lines from stop to stop, coloured per caregiver, and last positions. A
 * caregiver's layer is redrawn only when their route changed.
 */
function renderRoutes() {
  const L = window.L;
  const home = state.area.station;
  const kept = new Map();
  for (const r of state.day.plan.routes) {
    const c = state.colours.get(r.caregiver) ?? "#333";
    const path = state.paths.get(r.caregiver);
    const road = path?.places === placesOf(r) ? path.line : null;
    const signature = `${c} ${name(r.caregiver)} ${road ? "roads" : "straight"} ${r.stops.map((s) => `${s.visit}@${s.start}`).join(",")}`;
    const old = state.routeLayers.get(r.caregiver);
    if (old?.signature === signature) {
      kept.set(r.caregiver, old);
      continue;
    }
    if (old) state.layers.removeLayer(old.layer);
    const layer = L.layerGroup();
    const points = [ll(home.lon, home.lat)];
    for (const s of r.stops) {
      // Pick-ups are drawn on the timeline; the map shows the clients' homes.
      if (s.pickup_for) continue;
      const client = state.clients.get(state.orders.get(s.visit)?.client);
      if (!client) continue;
      points.push(ll(client.lon, client.lat));
      L.circleMarker(ll(client.lon, client.lat), { radius: 5, color: c, fillColor: c, fillOpacity: 0.9, weight: 1 })
        .bindTooltip(`${hhmm(s.start)} ${name(r.caregiver)}`)
        .addTo(layer);
    }
    points.push(ll(home.lon, home.lat));
    L.polyline(road ?? points, { color: c, weight: 3, opacity: 0.8, className: road ? "route roads" : "route" }).addTo(layer);
    layer.eachLayer((l) => l.on("click", () => choose(r.caregiver)));
    kept.set(r.caregiver, { signature, layer: layer.addTo(state.layers), roads: !!road });
  }
  for (const [caregiver, old] of state.routeLayers) if (!kept.has(caregiver)) state.layers.removeLayer(old.layer);
  state.routeLayers = kept;
  // What is drawn, for people using a screen reader and for the browser tests.
  $("map").dataset.routes = kept.size;
  $("map").dataset.roads = [...kept.values()].filter((k) => k.roads).length;
  renderLegend();
  // New layers are drawn plain: fade them too while one caregiver is shown alone.
  if (state.chosen !== null) showChosen();
  renderPositions();
}

/** Who each colour is, with their visits: a click shows that caregiver alone. */
function renderLegend() {
  const counts = new Map(state.day.plan.routes.map((r) => [r.caregiver, r.stops.filter((s) => !s.pickup_for).length]));
  const items = [...counts.keys()].map(
    (id) =>
      `<li><button type="button" data-caregiver="${escapeHtml(id)}" aria-pressed="${state.chosen === id}">` +
      `<i style="background:${state.colours.get(id)}"></i>${escapeHtml(name(id))} · ${counts.get(id)}</button></li>`,
  );
  const html = `<h3>${escapeHtml(t("map.legend"))}</h3><ul>${items.join("")}</ul>`;
  if ($("legend").drawn !== html) {
    $("legend").innerHTML = html;
    $("legend").drawn = html;
  }
}

/** Shows `caregiver` alone (the others faded), or everyone again when chosen twice. */
function choose(caregiver) {
  state.chosen = state.chosen === caregiver ? null : caregiver;
  showChosen();
  if (state.chosen) $("timeline").querySelector(`.row [data-caregiver="${CSS.escape(state.chosen)}"]`)?.scrollIntoView({ block: "nearest" });
}

function showChosen() {
  for (const [id, { layer }] of state.routeLayers) {
    const faded = state.chosen !== null && id !== state.chosen;
    layer.eachLayer((l) => {
      const line = l instanceof window.L.Polyline;
      l.setStyle({ opacity: faded ? 0.12 : 0.9, fillOpacity: faded ? 0.1 : 0.9, weight: line ? (id === state.chosen ? 5 : 3) : 1 });
      if (id === state.chosen) l.bringToFront();
    });
  }
  for (const b of $("legend").querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.caregiver === state.chosen));
  for (const row of $("timeline").querySelectorAll(".row")) {
    const id = row.querySelector(".who")?.dataset.caregiver;
    row.classList.toggle("chosen", id !== undefined && id === state.chosen);
  }
  $("map").dataset.chosen = state.chosen ?? "";
}

/** The caregivers' last reported positions. */
function renderPositions() {
  const L = window.L;
  state.positionLayer.clearLayers();
  for (const p of state.positions) {
    const c = state.colours.get(p.caregiver) ?? "#333";
    L.circleMarker(ll(p.lon, p.lat), { radius: 7, color: "#fff", fillColor: c, fillOpacity: 1, weight: 3, renderer: state.positionRenderer })
      .bindTooltip(`${name(p.caregiver)} ${hhmm(p.at)}`)
      .addTo(state.positionLayer);
  }
}

// ---- actions -------------------------------------------------------------------------

function setUpActions() {
  $("compact").onclick = () => {
    state.compact = !isCompact();
    renderTimeline();
  };
  // A wider or narrower window changes which bar labels fit.
  let resized = null;
  window.addEventListener("resize", () => {
    clearTimeout(resized);
    resized = setTimeout(() => {
      state.metrics = null;
      timed("resize", renderTimeline);
    }, 150);
  });
  $("timeline").addEventListener("click", (e) => {
    const visit = e.target.closest("[data-visit]")?.dataset.visit;
    if (visit) return openVisit(visit);
    const caregiver = e.target.closest("[data-caregiver]")?.dataset.caregiver;
    if (caregiver) openCaregiver(caregiver);
  });
  $("alerts").addEventListener("click", async (e) => {
    const dedup = e.target.closest("[data-alert]")?.dataset.alert;
    if (!dedup) return;
    e.target.disabled = true;
    const acked = await api(`/v1/alerts/${encodeURIComponent(dedup)}/acknowledge`, { method: "POST" });
    state.alerts.set(dedup, acked);
    renderAlerts();
  });
  $("replan").addEventListener("click", async () => {
    $("replan").disabled = true;
    try {
      const r = await api(`/v1/stations/${encodeURIComponent(state.station)}/replan`, {
        method: "POST",
        body: { date: state.date },
      });
      reportMoves(r.replan);
    } finally {
      $("replan").disabled = false;
    }
  });
  setUpDragging();
  $("export").onclick = exportDay;
  $("find").addEventListener("input", () => findInDay($("find").value));
  $("find").addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const first = $("timeline").querySelector("button.visit.match");
    if (first) openVisit(first.dataset.visit);
  });
  window.addEventListener("afterprint", () => ($("print-sheet").hidden = true));
  setInterval(moveNowLine, 10_000);
  $("unassigned").addEventListener("click", (e) => {
    const visit = e.target.closest("[data-visit]")?.dataset.visit;
    if (visit) openVisit(visit);
  });
  $("assign-form").addEventListener("submit", (e) => {
    e.preventDefault();
    assignVisit($("visit-dialog").dataset.visit);
  });
  $("visit-close").onclick = () => $("visit-dialog").close();
  $("cg-close").onclick = () => $("caregiver-dialog").close();
  setUpOrderForm();
}

/** What a write moved, said at once (the stream's events follow). */
function reportMoves(replan) {
  if (!replan) return;
  for (const m of replan.moved) state.moves.unshift(moved(m.visit, m.to_caregiver, m.to_start));
  for (const i of replan.inserted) state.moves.unshift(moved(i.visit, i.caregiver, i.start));
  renderMoves();
  planChanged();
}

function openVisit(visit) {
  const o = state.orders.get(visit);
  const route = state.day.plan.routes.find((r) => r.stops.some((s) => s.visit === visit));
  const stop = route?.stops.find((s) => s.visit === visit);
  const client = state.clients.get(o?.client);
  const locked = state.day.locked.includes(visit);
  const facts = [
    ["visit.title", visit],
    ["order.client", `${client?.name ?? o?.client ?? ""} ${client?.address ?? ""}`],
    ["order.service", serviceName(o?.service)],
    ["timeline.title", stop ? `${hhmm(stop.start)}–${hhmm(stop.end)} · ${name(route.caregiver)}` : "–"],
    ["order.notes", o?.notes ?? ""],
  ];
  $("visit-facts").innerHTML = facts.map(([k, v]) => `<div><dt>${t(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join("");
  $("visit-error").textContent = "";
  delete $("visit-error").dataset.rule;
  $("visit-dialog").dataset.visit = visit;
  // "Assign to": every caregiver of the station, the one serving it first; no time: where
  // it fits best on their route.
  const caregivers = [...state.caregivers.keys()];
  $("assign-to").innerHTML = caregivers
    .map((id) => `<option value="${escapeHtml(id)}"${id === route?.caregiver ? " selected" : ""}>${escapeHtml(name(id))}</option>`)
    .join("");
  $("assign-at").value = "";
  // A meal's pick-up and a two-caregiver visit move with their other half: re-plan instead.
  $("assign-form").hidden = o?.caregivers === 2 || Boolean(stop?.pickup_for);
  const button = $("visit-lock");
  button.textContent = t(locked ? "action.unlock" : "action.lock");
  button.onclick = async () => {
    try {
      await api(`/v1/orders/${encodeURIComponent(visit)}/${locked ? "unlock" : "lock"}`, { method: "POST" });
      state.day.locked = locked ? state.day.locked.filter((v) => v !== visit) : [...state.day.locked, visit];
      renderTimeline();
      $("visit-dialog").close();
    } catch (e) {
      $("visit-error").textContent = e.message;
    }
  };
  $("visit-dialog").showModal();
}

/** Puts `visit` on a caregiver's route (`body`: `{caregiver, start?}`): the service checks it
 *  and keeps it there, or names the rule it would break, which is said in `where`. */
async function assign(visit, body, where) {
  where.textContent = "";
  delete where.dataset.rule;
  try {
    const r = await api(`/v1/orders/${encodeURIComponent(visit)}/assign`, {
      method: "POST",
      body,
      headers: { "Idempotency-Key": newKey() },
    });
    state.day.locked = [...new Set([...state.day.locked, visit])];
    reportMoves(r.replan);
    return true;
  } catch (e) {
    const rule = e.rule ? t(`rule.${e.rule}`) : "";
    where.textContent = rule ? t("assign.refused", { rule, detail: e.message }) : e.message;
    if (e.rule) where.dataset.rule = e.rule;
    return false;
  }
}

/** "Assign to" in the visit's dialog: the chosen caregiver, at the chosen time or where it fits. */
async function assignVisit(visit) {
  const body = { caregiver: $("assign-to").value };
  const at = $("assign-at").value;
  if (at) {
    const [h, m] = at.split(":").map(Number);
    body.start = h * 3600 + m * 60;
  }
  $("assign-go").disabled = true;
  try {
    if (await assign(visit, body, $("visit-error"))) $("visit-dialog").close();
  } finally {
    $("assign-go").disabled = false;
  }
}

/** Drag and drop on the timeline: a visit dropped on a caregiver's row is assigned to them,
 *  starting where its left edge lands (to five minutes). */
function setUpDragging() {
  let dragged = null;
  const trackOf = (e) => e.target.closest?.(".row:not(.axis) .track");
  $("timeline").addEventListener("dragstart", (e) => {
    const block = e.target.closest?.("button.visit[draggable='true']");
    if (!block) return;
    dragged = { visit: block.dataset.visit, offset: e.clientX - block.getBoundingClientRect().left };
    e.dataTransfer.setData("text/plain", dragged.visit);
    e.dataTransfer.effectAllowed = "move";
  });
  $("timeline").addEventListener("dragover", (e) => {
    if (dragged && trackOf(e)) e.preventDefault();
  });
  $("timeline").addEventListener("dragend", () => (dragged = null));
  $("timeline").addEventListener("drop", async (e) => {
    const track = trackOf(e);
    if (!dragged || !track) return;
    e.preventDefault();
    const { visit, offset } = dragged;
    dragged = null;
    const caregiver = track.closest(".row").querySelector("[data-caregiver]").dataset.caregiver;
    const box = track.getBoundingClientRect();
    const start = dropStart(e.clientX - offset, box.left, box.width, state.span.from, state.span.to);
    await assign(visit, start === null ? { caregiver } : { caregiver, start }, $("timeline-note"));
  });
}

function openCaregiver(id) {
  $("cg-h").textContent = name(id);
  $("cg-text").textContent = t("action.confirmAbsent", { caregiver: name(id) });
  $("cg-error").textContent = "";
  $("cg-print").onclick = () => printSheet(id);
  $("cg-absent").onclick = async () => {
    try {
      const r = await api(`/v1/stations/${encodeURIComponent(state.station)}/absences`, {
        method: "POST",
        body: { caregiver: id, date: state.date },
        headers: { "Idempotency-Key": newKey() },
      });
      reportMoves(r.replan);
      $("caregiver-dialog").close();
    } catch (e) {
      $("cg-error").textContent = e.message;
    }
  };
  $("caregiver-dialog").showModal();
}

function setUpOrderForm() {
  const clients = [...state.clients.values()].sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id));
  $("o-client").innerHTML = clients
    .map((c) => `<option value="${escapeHtml(c.id)}">${escapeHtml(c.name ?? c.id)} (${escapeHtml(c.id)})</option>`)
    .join("");
  $("o-service").innerHTML = SERVICES.map((s) => `<option value="${s}">${escapeHtml(serviceName(s))}</option>`).join("");
  const now = clockNow();
  $("o-from").value = hhmm(Math.ceil(now / 900) * 900);
  $("o-to").value = hhmm(Math.ceil(now / 900) * 900 + 2 * 3600);
  $("new-order").onclick = () => {
    for (const p of $("order-form").querySelectorAll(".error")) p.textContent = "";
    $("order-dialog").showModal();
  };
  $("o-cancel").onclick = () => $("order-dialog").close();
  const key = { value: newKey() };
  $("order-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const errors = $("order-form").querySelectorAll(".error");
    for (const p of errors) p.textContent = "";
    const field = (name) => $("order-form").querySelector(`.error[data-for="${name}"]`);
    const from = seconds($("o-from").value);
    const to = seconds($("o-to").value);
    if (from === null || to === null) {
      field("windows").textContent = t("order.badtime");
      return;
    }
    const body = {
      client: $("o-client").value,
      date: state.date,
      service: $("o-service").value,
      duration: Math.round(Number($("o-duration").value) * 60),
      windows: [{ start: from, end: to }],
      urgent: $("o-urgent").checked,
    };
    if ($("o-notes").value.trim()) body.notes = $("o-notes").value.trim();
    $("o-submit").disabled = true;
    try {
      const made = await api("/v1/orders", { method: "POST", body, headers: { "Idempotency-Key": key.value } });
      key.value = newKey();
      state.orders.set(made.id, made);
      state.moves.unshift({ key: "order.created", visit: made.id, vars: { id: made.id } });
      reportMoves(made.replan);
      $("order-dialog").close();
    } catch (err) {
      const where = err.field?.startsWith("windows") ? "windows" : (err.field ?? "");
      (field(where) ?? field("")).textContent = err.message;
    } finally {
      $("o-submit").disabled = false;
    }
  });
}

/** With `?perf`: each frame's time, for the render benchmark. */
function measureFrames() {
  let last = performance.now();
  const tick = (now) => {
    if (perf.frames.length < 20000) perf.frames.push(now - last);
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

start().catch((e) => {
  message(e.message);
  console.error(e);
});
