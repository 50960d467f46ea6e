// The centre's view of a county: every station the signed-in user may see, with its day's
// figures (served, unassigned, caregivers at work, travel, visits done) and its open alerts,
// each opening that station's console. For admins and dispatchers of several stations; read
// through the public API and looked at again every half minute.

import { api, listAll, t, escapeHtml, duration, alertSaid, ApiError } from "./common.js";

const $ = (id) => document.getElementById(id);
const EVERY_MS = 30_000;

/** Shows the centre's view of `stations` on `date` and keeps it current. */
export async function showCentre(me, date, open) {
  const names = new Map((await listAll("/v1/stations")).map((s) => [s.id, s.name ?? s.id]));
  const days = new Map();
  const look = async () => {
    // A few stations at a time: a county's dozen must not queue behind the browser's limit.
    const queue = [...me.stations];
    const worker = async () => {
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) days.set(s, await dayOf(s, date));
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    draw(me.stations, names, days);
  };
  $("centre-table").addEventListener("click", (e) => {
    const s = e.target.closest("[data-open]")?.dataset.open;
    if (s) open(s);
  });
  await look();
  setInterval(look, EVERY_MS);
  return () => draw(me.stations, names, days);
}

/** One station's day: its plan's figures (null without a plan) and its alerts. */
async function dayOf(station, date) {
  const s = encodeURIComponent(station);
  const [plan, alerts] = await Promise.all([
    api(`/v1/stations/${s}/plan?date=${date}`).catch((e) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }),
    api(`/v1/stations/${s}/alerts?date=${date}`),
  ]);
  return { plan, alerts: alerts.alerts };
}

function draw(stations, names, days) {
  const total = { served: 0, visits: 0, unassigned: 0, open: 0, late: 0 };
  const rows = stations.map((id) => {
    const day = days.get(id);
    if (!day) return "";
    const open = day.alerts.filter((a) => !a.acked_by);
    const late = open.filter((a) => a.kind === "late").length;
    const newest = [...open].sort((a, b) => b.at - a.at)[0];
    total.open += open.length;
    total.late += late;
    const alertCell = open.length
      ? `<b>${open.length}</b> (${escapeHtml(t("centre.late", { n: late }))})<br><small>${escapeHtml(alertSaid(newest))}</small>`
      : escapeHtml(t("alerts.none"));
    let figures;
    if (day.plan) {
      const k = day.plan.kpis;
      const done = day.plan.progress.filter((p) => p.check_out != null).length;
      total.served += k.visits_served;
      total.visits += k.visits_total;
      total.unassigned += day.plan.plan.unassigned.length;
      figures = [
        `${k.visits_served} / ${k.visits_total}`,
        String(day.plan.plan.unassigned.length),
        String(k.caregivers_used),
        duration(k.travel_time),
        String(done),
      ].map((x) => `<td>${escapeHtml(x)}</td>`);
    } else {
      figures = [`<td colspan="5">${escapeHtml(t("centre.noplan"))}</td>`];
    }
    const cls = open.length ? (late ? "late" : "open") : "";
    return `<tr data-station="${escapeHtml(id)}" class="${cls}"><th scope="row">${escapeHtml(names.get(id) ?? id)} <small>${escapeHtml(id)}</small></th>${figures.join("")}` +
      `<td>${alertCell}</td><td><button type="button" data-open="${escapeHtml(id)}">${escapeHtml(t("centre.open"))}</button></td></tr>`;
  });
  const heads = ["station", "kpi.served", "unassigned.title", "kpi.caregivers", "kpi.travel", "centre.done", "alerts.title", ""]
    .map((k) => `<th scope="col">${k ? escapeHtml(t(k)) : ""}</th>`);
  const sums = `<tr class="total"><th scope="row">${escapeHtml(t("centre.total", { n: stations.length }))}</th><td>${total.served} / ${total.visits}</td><td>${total.unassigned}</td><td colspan="3"></td><td>${total.open} (${escapeHtml(t("centre.late", { n: total.late }))})</td><td></td></tr>`;
  $("centre-table").innerHTML = `<thead><tr>${heads.join("")}</tr></thead><tbody>${rows.join("")}</tbody><tfoot>${sums}</tfoot>`;
  document.body.dataset.ready = "1";
}
