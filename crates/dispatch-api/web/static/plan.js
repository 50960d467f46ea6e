// The planner's view: every station's service circle on the roads, the clients outside every
// circle, where new stations would cover most clients, and the staffing simulation's curves.

import { api, listAll, token, setToken, setUpSignIn, t, translate, languageSwitch, escapeHtml, ll, colour, stationMap } from "./common.js";

const $ = (id) => document.getElementById(id);
let map = null;
let sitesLayer = null;
// The answers, kept so the language switch writes them again in the other language.
const results = { coverage: null, site: null, sim: null };

async function start() {
  translate();
  languageSwitch($("lang"), showResults);
  setUpSignIn(enter);
  if (token()) await enter();
  else $("signin").hidden = false;
}

async function enter() {
  let me;
  try {
    me = await api("/v1/me");
    if (me.role !== "planner" && me.role !== "admin") throw new Error(`a ${me.role} token`);
  } catch (e) {
    setToken(null);
    $("signin-error").textContent = t("signin.bad", { why: e.message });
    $("signin").hidden = false;
    return;
  }
  $("signin").hidden = true;
  $("desk").hidden = false;
  $("signout").hidden = false;
  const L = window.L;
  const areas = await Promise.all(me.stations.map((s) => api(`/v1/stations/${encodeURIComponent(s)}/map`)));
  if (areas.length === 0) return;
  // One map over every station: the first draws the map, the others add their roads and circle.
  const bounds = L.latLngBounds([]);
  areas.forEach((area, i) => {
    if (i === 0) map = stationMap($("map"), area);
    else {
      L.polyline(area.roads.geometry.coordinates.map((l) => l.map(([x, y]) => ll(x, y))), { color: "#9aa3ad", weight: 1, interactive: false }).addTo(map);
      L.polygon(area.circle.geometry.coordinates[0].map(([x, y]) => ll(x, y)), { color: colour(i), weight: 2, fillOpacity: 0.06 }).addTo(map);
    }
    const [w, s, e, n] = area.bbox;
    bounds.extend([ll(w, s), ll(e, n)]);
    L.circleMarker(ll(area.station.lon, area.station.lat), { radius: 8, color: "#000", fillColor: "#ffd400", fillOpacity: 1 })
      .bindTooltip(area.station.name ?? area.station.id, { permanent: true })
      .addTo(map);
  });
  map.fitBounds(bounds, { animate: false });
  sitesLayer = L.layerGroup().addTo(map);
  $("site-form").addEventListener("submit", site);
  $("sim-form").addEventListener("submit", simulate);
  await coverage(me);
  document.body.dataset.ready = "1";
}

async function coverage() {
  const L = window.L;
  $("coverage").textContent = t("planner.running");
  const [answer, clients] = await Promise.all([api("/v1/planner/coverage", { method: "POST", body: {} }), listAll("/v1/clients")]);
  const r = answer.report;
  const outside = new Set(r.outside.map((o) => o.client));
  for (const c of clients) {
    const p = c.location;
    L.circleMarker(ll(p.lon, p.lat), {
      radius: outside.has(c.id) ? 5 : 2,
      color: outside.has(c.id) ? "#c0392b" : "#555",
      fillOpacity: 0.9,
      weight: 1,
    })
      .bindTooltip(c.name ?? c.id)
      .addTo(map);
  }
  results.coverage = r;
  showResults();
}

const pct = (share) => (share * 100).toFixed(1);

/** Each answer in the page's language, with what it means. */
function showResults() {
  const lines = (items) => items.map((x) => `<span>${escapeHtml(x)}</span>`).join("<br>");
  const c = results.coverage;
  if (c) {
    const minutes = c.circles[0]?.minutes ?? 15;
    const mode = t(`mode.${c.circles[0]?.mode ?? "ebike"}`);
    $("coverage").innerHTML = lines([
      t("planner.covered", { covered: c.covered, clients: c.clients, share: pct(c.share_covered) }),
      t("planner.covered.why", { minutes, mode }),
      t("planner.outside", { n: c.outside.length }),
      ...c.circles.map((k) => t("planner.circle", { station: k.station, inside: k.clients_inside, own: k.own_clients_inside, of: k.own_clients })),
      t("planner.several", { n: c.in_several_circles }),
    ]);
    $("coverage").dataset.explained = "1";
  }
  const r = results.site;
  if (r) {
    sitesLayer.clearLayers();
    for (const s of r.chosen)
      // A ring, not L.marker: Leaflet's default pin is an image file we do not ship.
      window.L.circleMarker(ll(s.lon, s.lat), { radius: 11, color: "#0a7d32", fillColor: "#fff", fillOpacity: 0.8, weight: 4 })
        .bindTooltip(`${t("planner.proposed")} ${s.id}: ${s.clients_inside}`, { permanent: true, direction: "right", className: "proposed-site" })
        .addTo(sitesLayer);
    const greedy = r.greedy ? t("planner.greedy", { share: pct(r.greedy.share_covered) }) : "";
    const gap = r.milp.gap == null ? "" : t("planner.gap", { gap: (r.milp.gap * 100).toFixed(2) });
    $("sites").innerHTML = lines([
      t("planner.sites", { objective: t(`objective.${r.objective}`), k: r.k ?? "–", sites: r.chosen.map((s) => s.id).join(", ") }),
      t(`objective.${r.objective}.why`, { candidates: r.candidates, k: r.k ?? "–", minutes: r.minutes }),
      t("planner.sites.result", { covered: r.milp.covered, clients: r.clients, share: pct(r.milp.share_covered) }) + gap,
      ...r.chosen.map((s) => t("planner.site.one", { id: s.id, n: s.clients_inside })),
      greedy,
      r.uncoverable ? t("planner.uncoverable", { n: r.uncoverable }) : "",
    ].filter(Boolean));
  }
  const m = results.sim;
  if (m) {
    $("sim-status").innerHTML = lines([
      ...m.answer.needed.map((n) => (n.caregivers == null ? t("planner.not-enough", { station: n.station }) : t("planner.needed", { station: n.station, n: n.caregivers }))),
      t("planner.needed.why", { weeks: m.weeks, target: Math.round(m.target * 100), minutes: m.minutes }),
    ]);
    $("charts").innerHTML = chart(m.answer.levels, "planner.unserved", (l) => l.package_unserved / Math.max(1, l.package_visits)) +
      chart(m.answer.levels, "planner.utilisation", (l) => l.utilisation);
  }
}

async function site(e) {
  e.preventDefault();
  $("sites").textContent = t("planner.running");
  try {
    const r = await api("/v1/planner/site", { method: "POST", body: { k: Number($("k").value) } });
    results.site = r;
    showResults();
  } catch (err) {
    $("sites").textContent = err.message;
  }
}

async function simulate(e) {
  e.preventDefault();
  const levels = $("levels").value.split(",").map((x) => Number(x.trim())).filter((x) => x > 0);
  $("sim-status").textContent = t("planner.running");
  try {
    const me = await api("/v1/me");
    // Sent, not left to the service's defaults, so the explanation says what was asked.
    const [weeks, target, minutes] = [1, 0.95, 60];
    const body = { date: me.today, levels, weeks, iterations: 300, urgent_target: target, urgent_minutes: minutes };
    const answer = await api("/v1/planner/simulate", { method: "POST", body });
    results.sim = { answer, weeks, target, minutes };
    showResults();
  } catch (err) {
    $("sim-status").textContent = err.message;
  }
}

/** A small SVG line chart: `value` against caregivers, one line per station. */
function chart(levels, title, value) {
  const stations = [...new Set(levels.map((l) => l.station))];
  const xs = levels.map((l) => l.caregivers);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const W = 320, H = 160, P = 30;
  const x = (v) => P + ((v - x0) / Math.max(1, x1 - x0)) * (W - 2 * P);
  const y = (v) => H - P - Math.min(1, Math.max(0, v)) * (H - 2 * P);
  const lines = stations.map((s, i) => {
    const pts = levels.filter((l) => l.station === s).sort((a, b) => a.caregivers - b.caregivers);
    return `<polyline fill="none" stroke="${colour(i)}" stroke-width="2" points="${pts.map((l) => `${x(l.caregivers)},${y(value(l))}`).join(" ")}"><title>${escapeHtml(s)}</title></polyline>`;
  });
  return `<figure><figcaption>${escapeHtml(t(title))}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(t(title))}">
    <line x1="${P}" y1="${H - P}" x2="${W - P}" y2="${H - P}" stroke="#333"/><line x1="${P}" y1="${P}" x2="${P}" y2="${H - P}" stroke="#333"/>
    <text x="${P - 4}" y="${P + 4}" text-anchor="end" font-size="10">100%</text><text x="${P - 4}" y="${H - P}" text-anchor="end" font-size="10">0</text>
    ${xs.filter((v, i, a) => a.indexOf(v) === i).map((v) => `<text x="${x(v)}" y="${H - P + 14}" text-anchor="middle" font-size="10">${v}</text>`).join("")}
    ${lines.join("")}</svg>
    <p class="legend">${stations.map((s, i) => `<span style="color:${colour(i)}">■</span> ${escapeHtml(s)}`).join(" ")}</p></figure>`;
}

start();
