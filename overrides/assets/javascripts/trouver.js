// Find a cooperative near a place (/trouver/): the rule of scripts/cae/ranking.py, whose
// docstring states it, run over the files of scripts/cae/generate/finder.py (one file per
// département, one per activity word). Keep the two in step: tests/browser/test_trouver.py
// compares them on shared queries. Text from the data only ever reaches the page as text.

import { attachAutocomplete, communeByInsee, distanceKm, findCommunes, fold, label, nearestCommune, searchForm, singular } from "./communes.js";

const DATA = new URL("../../donnees/trouver/", import.meta.url);
const SITE = new URL("../../", import.meta.url);
const config = JSON.parse(document.getElementById("trouver-config").textContent);

const GENERALIST = "generaliste";
const GENERALIST_REASON = "généraliste : accueille toutes les activités";
const UNKNOWN_SECTORS_REASON = "secteurs non précisés : à vérifier";
const UNKNOWN_DISTANCE = "distance inconnue";
const MAP_FRAME_KM = 100; // the map opens on the place and the results this near (at least the nearest one)

const files = new Map();

function load(path) {
  if (!files.has(path)) {
    files.set(path, fetch(new URL(path, DATA)).then((response) => (response.ok ? response.json() : null)));
  }
  return files.get(path);
}

// --- The rule (mirror of cae.ranking) ---------------------------------------

/** Folded words, a final « s » or « x » dropped from words of more than three letters. */
function activityWords(text) {
  return fold(text)
    .split(" ")
    .filter(Boolean)
    .map(singular);
}

/** { text, given, sectors: Map(sector number -> phrases as written) } for the activity typed. */
async function matchActivity(text) {
  const words = activityWords(text);
  const keys = [...new Set(words.map((word) => word.slice(0, 2)))].filter((key) => config.activites.includes(key));
  const shards = new Map(await Promise.all(keys.map(async (key) => [key, (await load(`activites/${key}.json`)) || {}])));
  const spans = [];
  words.forEach((word, start) => {
    for (const [phrase, [written, sectors]] of Object.entries(shards.get(word.slice(0, 2)) || {})) {
      const phraseWords = phrase.split(" ");
      if (phraseWords.every((w, i) => words[start + i] === w)) spans.push({ start, end: start + phraseWords.length, written, sectors });
    }
  });
  spans.sort((a, b) => a.start - b.start || a.end - b.end);
  const found = new Map();
  for (const span of spans) {
    if (spans.some((o) => o.start <= span.start && span.end <= o.end && (o.start !== span.start || o.end !== span.end))) continue;
    for (const sector of span.sectors) {
      if (!found.has(sector)) found.set(sector, []);
      if (!found.get(sector).includes(span.written)) found.get(sector).push(span.written);
    }
  }
  return { text: text.trim(), given: words.length > 0, sectors: new Map([...found].sort((a, b) => a[0] - b[0])) };
}

function quoted(words) {
  return words.map((word) => `« ${word} »`).join(", ");
}

/** { tier, reasons } when the cooperative may take the activity, else null. Tier 1 is « à vérifier ». */
function eligibility(sectors, activity) {
  if (!activity.given) return { tier: 0, reasons: [] };
  if (!sectors.length) return { tier: 1, reasons: [UNKNOWN_SECTORS_REASON] };
  const reasons = [];
  for (const number of sectors) {
    const [id, libelle] = config.secteurs[number];
    if (id === GENERALIST) reasons.push(GENERALIST_REASON);
    else if (activity.sectors.has(number)) reasons.push(`secteur ${libelle}, d'après ${quoted(activity.sectors.get(number))}`);
  }
  return reasons.length ? { tier: 0, reasons } : null;
}

function activityNotice(activity) {
  if (!activity.given) return "";
  if (!activity.sectors.size) {
    return (
      `Aucun secteur de l'annuaire ne correspond à « ${activity.text} » : voici les coopératives généralistes, ` +
      "qui accueillent toutes les activités, et celles dont les secteurs ne sont pas précisés. " +
      "Essayez aussi le nom de votre métier (par exemple « graphiste » ou « menuisier »)."
    );
  }
  const labels = [...activity.sectors.keys()].map((number) => config.secteurs[number][1]).join(" ; ");
  const plural = activity.sectors.size > 1 ? "s" : "";
  return `Activité « ${activity.text} » : secteur${plural} ${labels}. Les coopératives généralistes accueillent aussi toutes les activités.`;
}

/** The located place nearest to the point (the first one on a tie), or null. */
function nearestPlace(places, point) {
  let best = null;
  for (const [lat, lon, text] of places) {
    const km = distanceKm(point, [lat, lon]);
    if (best === null || km < best.km) best = { lat, lon, text, km };
  }
  return best;
}

/** Kilometres as shown: rounded half up, as in Python. */
function displayedKm(km) {
  return Math.floor(km + 0.5);
}

function frenchNumber(value) {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
}

function distanceReason(nearest) {
  if (nearest === null) return UNKNOWN_DISTANCE;
  const shown = displayedKm(nearest.km);
  return `à ${shown === 0 ? "moins d'un km" : `${frenchNumber(shown)} km`} (${nearest.text})`;
}

/** The first results for a commune, from its département's file (rows in the directory's order). */
function rank(shard, commune, activity) {
  const point = [commune.lat, commune.lon];
  const results = [];
  shard.cooperatives.forEach(([id, nom, accepte, sectors, territory, places], position) => {
    const eligible = eligibility(sectors, activity);
    if (eligible === null) return;
    const nearest = nearestPlace(places, point);
    const reasons = [...(territory ? [territory] : []), ...eligible.reasons, distanceReason(nearest)];
    results.push({ id, nom, accepte, serves: territory !== "", tier: eligible.tier, nearest, position, reasons });
  });
  const km = (result) => (result.nearest ? result.nearest.km : Infinity);
  const nearer = (a, b) => (km(a) < km(b) ? -1 : km(a) > km(b) ? 1 : 0);
  results.sort((a, b) => Number(b.serves) - Number(a.serves) || a.tier - b.tier || nearer(a, b) || a.position - b.position);
  return results.slice(0, config.limite);
}

// --- The place typed (mirror of cae.ranking.resolve_place) -------------------

function matchesFully(commune, typed) {
  return commune.codesPostaux.includes(typed) || searchForm(commune.nom) === searchForm(typed);
}

/** { typed, commune, others } for a postcode or a name, or null when nothing matches. */
async function resolvePlace(text) {
  const typed = text.trim();
  const candidates = await findCommunes(typed, 10);
  if (!candidates.length) return null;
  const chosen = candidates.find((c) => c.parent === candidates[0].insee && c.codesPostaux.includes(typed)) || candidates[0];
  const full = matchesFully(chosen, typed);
  return { typed, commune: chosen, others: candidates.filter((c) => c !== chosen && matchesFully(c, typed) === full) };
}

function communeLabel(commune) {
  return `${commune.nom} (${commune.departement})`;
}

// --- The page -----------------------------------------------------------------

const form = document.querySelector(".cae-trouver__formulaire");
const placeInput = document.getElementById("trouver-lieu");
const activityInput = document.getElementById("trouver-activite");
const positionButton = document.querySelector(".cae-trouver__position");
const status = document.querySelector(".cae-trouver__etat");
const notices = document.querySelector(".cae-trouver__avis");
const resultsBox = document.querySelector(".cae-trouver__resultats");
const listBox = document.querySelector(".cae-trouver__liste");
const mapBox = document.querySelector(".cae-trouver__carte");

let chosen = null; // the commune picked in the suggestions, while the field is unchanged
let searches = 0;
let map = null;
let markers = null;

function element(tag, text = "", className = "") {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function plural(count, word) {
  return `${word}${count > 1 ? "s" : ""}`;
}

function addressOf(commune, activityText) {
  const params = new URLSearchParams({ commune: commune.insee });
  if (activityText.trim()) params.set("activite", activityText.trim());
  return `?${params}`;
}

function pageOf(result) {
  return new URL(`cooperatives/${encodeURIComponent(result.id)}/`, SITE).href;
}

function say(message) {
  status.textContent = message;
}

function clearResults() {
  notices.replaceChildren();
  listBox.replaceChildren();
  resultsBox.hidden = true;
  delete resultsBox.dataset.commune;
}

function resolutionNotice(resolution, activityText) {
  const paragraph = element("p");
  paragraph.append(`« ${resolution.typed} » peut désigner plusieurs communes : résultats pour ${communeLabel(resolution.commune)}. Autres : `);
  resolution.others.forEach((other, index) => {
    const link = element("a", communeLabel(other));
    link.href = addressOf(other, activityText);
    paragraph.append(...(index ? [", ", link] : [link]));
  });
  paragraph.append(".");
  return paragraph;
}

function card(result) {
  const item = element("li", "", "cae-trouver__resultat");
  item.dataset.id = result.id;
  item.dataset.km = result.nearest ? String(displayedKm(result.nearest.km)) : "";
  const title = element("h3", "", "cae-trouver__titre");
  const link = element("a", result.nom);
  link.href = pageOf(result);
  title.append(link);
  const reasons = element("ul", "", "cae-trouver__raisons");
  reasons.append(...result.reasons.map((reason) => element("li", reason)));
  const newcomers = element("p", "Accepte de nouveaux entrepreneurs : ", "cae-trouver__accueil");
  newcomers.append(element("strong", result.accepte));
  item.append(title, reasons, newcomers);
  return item;
}

function group(title, results, first) {
  const list = element("ol", "", "cae-trouver__groupe");
  list.start = first;
  list.append(...results.map(card));
  return [element("h2", title), list];
}

function markerIcon(text, modifier) {
  return window.L.divIcon({ html: element("span", text, `cae-trouver-repere ${modifier}`), className: "cae-repere-conteneur", iconSize: [26, 26], iconAnchor: [13, 13] });
}

function popup(result, number) {
  const box = element("div", "", "cae-popup");
  const title = element("p", "", "cae-popup__titre");
  const link = element("a", `${number}. ${result.nom}`);
  link.href = pageOf(result);
  title.append(link);
  box.append(title, element("p", distanceReason(result.nearest)));
  return box;
}

function showMap(commune, results) {
  const L = window.L;
  if (!L) return; // Leaflet did not load: the list holds the same information
  if (map === null) {
    map = L.map(mapBox, { scrollWheelZoom: false });
    L.tileLayer(config.fond.url, { attribution: config.fond.attribution, maxZoom: 18 }).addTo(map);
    markers = L.layerGroup().addTo(map);
  }
  map.invalidateSize();
  markers.clearLayers();
  const here = [commune.lat, commune.lon];
  markers.addLayer(L.marker(here, { icon: markerIcon("★", "cae-trouver-repere--lieu"), title: `Lieu choisi : ${commune.nom}`, keyboard: false }));
  results.forEach((result, index) => {
    if (!result.nearest) return;
    const marker = L.marker([result.nearest.lat, result.nearest.lon], { icon: markerIcon(String(index + 1), ""), title: `${index + 1}. ${result.nom}` });
    markers.addLayer(marker.bindPopup(popup(result, index + 1)));
  });
  const located = results.filter((result) => result.nearest).map((result) => result.nearest);
  const reach = Math.max(MAP_FRAME_KM, Math.min(...located.map((place) => place.km)));
  const framed = [here, ...located.filter((place) => place.km <= reach).map((place) => [place.lat, place.lon])];
  if (framed.length > 1) map.fitBounds(framed, { padding: [24, 24], maxZoom: 12 });
  else map.setView(here, 11);
}

function show(commune, shard, activity, results, resolution, activityText) {
  const serving = results.filter((result) => result.serves);
  const others = results.filter((result) => !result.serves);
  const messages = [];
  if (resolution && resolution.others.length) messages.push(resolutionNotice(resolution, activityText));
  if (activity.given) messages.push(element("p", activityNotice(activity)));
  if (results.length && !serving.length) {
    messages.push(element("p", `Aucune coopérative de l'annuaire ne dessert le département ${shard.departement} pour cette recherche : voici les plus proches. Certaines accueillent des entrepreneurs loin de leur siège, renseignez-vous auprès d'elles.`));
  }
  notices.replaceChildren(...messages);
  const where = `près de ${commune.nom} (${commune.departement})`;
  if (!results.length) {
    say(`Aucune coopérative trouvée ${where}.`);
    listBox.replaceChildren();
    resultsBox.hidden = true;
    return;
  }
  const found = `${results.length} ${plural(results.length, "coopérative")} ${plural(results.length, "trouvée")} ${where}`;
  const verb = serving.length > 1 ? "desservent" : "dessert";
  say(serving.length ? `${found}, dont ${serving.length} qui ${verb} le département.` : `${found}.`);
  listBox.replaceChildren(
    ...(serving.length ? group(`${plural(serving.length, "Coopérative")} qui ${verb} le département ${shard.departement}`, serving, 1) : []),
    ...(others.length ? group(serving.length ? "Autres coopératives" : "Les coopératives les plus proches", others, serving.length + 1) : []),
  );
  resultsBox.hidden = false;
  showMap(commune, results);
}

/** Rank and show; history is "push", "replace" or "none" (the address already says it). */
async function run(commune, activityText, { history = "push", resolution = null } = {}) {
  const search = ++searches;
  if (history !== "none") window.history[history === "push" ? "pushState" : "replaceState"](null, "", addressOf(commune, activityText));
  resultsBox.setAttribute("aria-busy", "true");
  delete resultsBox.dataset.commune; // set again once these results are shown (tests wait for it)
  const [shard, activity] = await Promise.all([load(`departements/${commune.departement}.json`), matchActivity(activityText)]);
  if (search !== searches) return;
  resultsBox.removeAttribute("aria-busy");
  if (!shard) {
    clearResults();
    say("Les données de la recherche n'ont pas pu être chargées. Réessayez plus tard ou consultez les coopératives par département.");
    return;
  }
  show(commune, shard, activity, rank(shard, commune, activity), resolution, activityText);
  resultsBox.dataset.commune = commune.insee;
}

async function runTyped(text, activityText, history) {
  const resolution = await resolvePlace(text);
  if (!resolution) {
    clearResults();
    say(`Aucune commune ne correspond à « ${text.trim()} » : vérifiez l'orthographe ou donnez le code postal.`);
    return;
  }
  chosen = resolution.commune;
  placeInput.value = label(chosen);
  await run(chosen, activityText, { history, resolution });
}

/** The search the address describes: ?commune=INSEE&activite=…, or ?lieu=… from the home page. */
async function fromAddress() {
  const params = new URLSearchParams(window.location.search);
  const activityText = params.get("activite") || "";
  activityInput.value = activityText;
  if (params.get("commune")) {
    const commune = await communeByInsee(params.get("commune"));
    if (!commune) {
      clearResults();
      say("La commune de l'adresse est inconnue : tapez votre commune ou votre code postal.");
      return;
    }
    chosen = commune;
    placeInput.value = label(commune);
    await run(commune, activityText, { history: "none" });
  } else if ((params.get("lieu") || "").trim()) {
    await runTyped(params.get("lieu"), activityText, "replace");
  } else {
    placeInput.value = "";
    clearResults();
    say("");
  }
}

function locate() {
  say("Recherche de votre position…");
  navigator.geolocation.getCurrentPosition(
    async ({ coords }) => {
      const commune = await nearestCommune(coords.latitude, coords.longitude);
      if (!commune) {
        say("Votre position semble hors de France : tapez votre commune ou votre code postal.");
        return;
      }
      chosen = commune;
      placeInput.value = label(commune);
      await run(commune, activityInput.value);
    },
    (error) => {
      say(
        error.code === error.PERMISSION_DENIED
          ? "La localisation n'est pas autorisée dans votre navigateur : tapez votre commune ou votre code postal."
          : "Votre position n'a pas pu être trouvée : tapez votre commune ou votre code postal.",
      );
    },
    { timeout: 10000, maximumAge: 300000 },
  );
}

attachAutocomplete(placeInput, {
  onSelect: (commune) => {
    chosen = commune;
    run(commune, activityInput.value);
  },
  onClear: () => {
    chosen = null;
  },
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (chosen) run(chosen, activityInput.value);
  else runTyped(placeInput.value, activityInput.value, "push");
});
if ("geolocation" in navigator) {
  positionButton.hidden = false;
  positionButton.addEventListener("click", locate);
}
window.addEventListener("popstate", fromAddress);
fromAddress();
