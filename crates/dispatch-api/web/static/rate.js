// The rating page a client or their family opens from a one-time link (/rate/{link}): what
// is rated, 1 to 5 stars and a comment, sent once. No account: the link is the permission.

import { api, ApiError, t, translate, languageSwitch, serviceName } from "./common.js";

const $ = (id) => document.getElementById(id);
const link = decodeURIComponent(location.pathname.replace(/^\/rate\//, ""));
let visit = null;

function about() {
  if (!visit) return;
  $("about").textContent = visit.rated
    ? t("rate.done")
    : t("rate.about", { caregiver: visit.caregiver, date: visit.date, service: serviceName(visit.service) });
}

async function start() {
  translate();
  languageSwitch($("lang"), about);
  try {
    visit = await api(`/v1/ratings/${encodeURIComponent(link)}`);
  } catch (e) {
    $("about").textContent = e instanceof ApiError && e.status === 404 ? t("rate.missing") : e.message;
    document.body.dataset.ready = "1";
    return;
  }
  about();
  $("rate-form").hidden = visit.rated;
  $("rate-form").addEventListener("submit", send);
  document.body.dataset.ready = "1";
}

async function send(e) {
  e.preventDefault();
  for (const id of ["stars-error", "comment-error"]) $(id).textContent = "";
  const stars = Number(new FormData($("rate-form")).get("stars"));
  const comment = $("comment").value.trim();
  const button = $("rate-form").querySelector("button");
  button.disabled = true;
  try {
    await api(`/v1/ratings/${encodeURIComponent(link)}`, { method: "POST", body: { stars, comment: comment || undefined } });
    visit.rated = true;
    $("rate-form").hidden = true;
    $("about").textContent = t("rate.thanks");
    document.body.dataset.rated = String(stars);
  } catch (err) {
    const where = $(`${err.field}-error`) ?? $("stars-error");
    where.textContent = err.message;
    button.disabled = false;
  }
}

start();
