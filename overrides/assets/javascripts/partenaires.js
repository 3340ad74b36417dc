// Partner search (/partenaires/): skills (several, with autocomplete) + place + radius →
// members ranked and a proposed team, computed here by matching.js (the mirror of
// scripts/cae/matching.py) over the static index written by scripts/cae/generate/partners.py.
// A query fetches, per requested skill, the files whose box the circle reaches.
// The state lives in the address, so a search can be shared:
//   ?competences=electricite-batiment,menuiserie-bois&commune=44109&rayon=50[&disponibilite=…]
// The home page form sends ?competences=<free text>&lieu=<text>: read, then rewritten.
// Data never reaches the page as HTML: nodes are built with textContent and attributes.

import { attachAutocomplete, attachCombobox, communeByInsee, compareText, distanceKm, findCommunes, fold, label as communeLabel } from "./communes.js";
import { MAX_RADIUS_KM, MAX_SKILLS, SkillIndex, kmText, match } from "./matching.js";

const DATA = new URL("../../donnees/partenaires/", import.meta.url);
const SITE = new URL("../../", import.meta.url);
const PAGE_SIZE = 50;
const SUGGESTIONS = 8;
const BOX_SLACK_KM = 1; // distances are counted in whole metres: never skip a file by a hair

const form = document.querySelector(".cae-partenaires__formulaire");
const skillInput = document.getElementById("partenaires-competences");
const placeInput = document.getElementById("partenaires-lieu");
const radiusSelect = document.getElementById("partenaires-rayon");
const availabilitySelect = document.getElementById("partenaires-disponibilite");
const status = document.querySelector(".cae-partenaires__etat");
const teamBox = document.querySelector(".cae-partenaires__equipe");
const resultsBox = document.querySelector(".cae-partenaires__resultats");
const list = document.querySelector(".cae-partenaires__liste");
const more = document.querySelector(".cae-partenaires__plus");

const chips = element("ul", { class: "cae-puces", "aria-label": "Compétences choisies" });
const chosen = []; // ids of the chosen skills, in order
let vocabulary; // { skills: Map id → skill, reader: SkillIndex, availabilities: Map id → label }
let index; // index.json: { competences: skill → [box of file 0, box of file 1…] }
let commune = null;
let answer = null; // { query, candidates, team, uncovered }
let shown = 0;
let request = 0;

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function plural(count, word) {
  return `${count} ${word}${count > 1 ? "s" : ""}`;
}

async function fetchJson(path) {
  const response = await fetch(new URL(path, DATA));
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function say(sentences) {
  status.textContent = sentences.filter(Boolean).join(" ");
}

// --- Skills: chips and autocomplete ----------------------------------------------------------

function skillLabel(id) {
  return vocabulary.skills.get(id).libelle;
}

function labels(ids) {
  return ids.map(skillLabel).join(", ");
}

function renderChips() {
  chips.replaceChildren(
    ...chosen.map((id) => {
      const remove = element("button", { type: "button", class: "cae-puce__retirer", "aria-label": `Retirer ${skillLabel(id)}` }, "×");
      remove.addEventListener("click", () => {
        chosen.splice(chosen.indexOf(id), 1);
        renderChips();
        skillInput.focus();
      });
      return element("li", { class: "cae-puce", "data-competence": id }, element("span", {}, skillLabel(id)), remove);
    }),
  );
  chips.hidden = chosen.length === 0;
}

/** Adds skills to the chosen ones; a sentence if some had to be left out. */
function addSkills(ids) {
  let refused = 0;
  for (const id of ids) {
    if (chosen.includes(id)) continue;
    if (chosen.length >= MAX_SKILLS) refused += 1;
    else chosen.push(id);
  }
  renderChips();
  return refused ? `${MAX_SKILLS} compétences au plus : ${plural(refused, "compétence")} laissée${refused > 1 ? "s" : ""} de côté.` : "";
}

/** Skills whose label, then a synonym, then a word of the label, then a word of a synonym starts with the text typed. */
function suggestSkills(text) {
  const wanted = fold(text);
  if (wanted.length < 2) return [];
  const startsWord = (form) => ` ${form}`.includes(` ${wanted}`);
  const found = [];
  for (const skill of vocabulary.skills.values()) {
    if (chosen.includes(skill.id)) continue;
    const synonym = skill.forms.find(([form]) => form.startsWith(wanted)) || skill.forms.find(([form]) => startsWord(form));
    let score = -1;
    if (skill.folded.startsWith(wanted)) score = 0;
    else if (synonym && synonym[0].startsWith(wanted)) score = 1;
    else if (startsWord(skill.folded)) score = 2;
    else if (synonym) score = 3;
    if (score >= 0) found.push({ skill, score, via: score === 1 || score === 3 ? synonym[1] : "" });
  }
  return found.sort((a, b) => a.score - b.score || compareText(a.skill.folded, b.skill.folded)).slice(0, SUGGESTIONS);
}

function describeSuggestion({ skill, via }) {
  return via ? `${skill.libelle} (${via})` : skill.libelle;
}

// --- The state in the address ----------------------------------------------------------------

function selectRadius(km) {
  if (![...radiusSelect.options].some((option) => option.value === String(km))) radiusSelect.append(element("option", { value: String(km) }, `${km} km`));
  radiusSelect.value = String(km);
}

function writeState(query) {
  let search = `?competences=${query.skills.join(",")}&commune=${commune.insee}&rayon=${query.radiusKm}`;
  if (query.availability) search += `&disponibilite=${query.availability}`;
  window.history.replaceState(null, "", search);
}

async function restore() {
  const params = new URLSearchParams(window.location.search);
  const sentences = [];
  let unknown = [];
  const asked = (params.get("competences") || "").trim();
  if (asked) {
    const parts = asked.split(",").map((part) => part.trim()).filter(Boolean);
    if (parts.every((part) => vocabulary.skills.has(part))) sentences.push(addSkills(parts));
    else {
      const parsed = vocabulary.reader.parse(asked);
      sentences.push(addSkills(parsed.ids));
      unknown = parsed.unknown;
    }
  }
  const typedPlace = (params.get("lieu") || "").trim();
  if (params.get("commune")) commune = await communeByInsee(params.get("commune"));
  else if (typedPlace) commune = (await findCommunes(typedPlace, 1))[0] || null;
  placeInput.value = commune ? communeLabel(commune) : typedPlace;
  const radius = Number(params.get("rayon"));
  if (Number.isInteger(radius) && radius >= 1 && radius <= MAX_RADIUS_KM) selectRadius(radius);
  if (vocabulary.availabilities.has(params.get("disponibilite"))) availabilitySelect.value = params.get("disponibilite");
  if (asked || params.get("commune") || typedPlace) await search(unknown, sentences);
}

// --- The index: only the files a query needs --------------------------------------------------

/** The smallest great-circle distance from a point to a latitude/longitude box (exact). */
function boxDistanceKm([lat, lon], [south, west, north, east]) {
  const clampedLat = Math.min(Math.max(lat, south), north);
  if (lon >= west && lon <= east) return distanceKm([lat, lon], [clampedLat, lon]);
  const edge = lon < west ? west : east;
  const delta = ((edge - lon) * Math.PI) / 180;
  // Beyond a quarter turn of longitude the latitude gap alone is a safe lower bound.
  if (Math.abs(delta) >= Math.PI / 2) return distanceKm([lat, lon], [clampedLat, lon]);
  // On a meridian, the closest point to (lat, lon) is at this latitude; clamped, it is the box's closest point.
  const closest = (Math.atan(Math.tan((lat * Math.PI) / 180) / Math.cos(delta)) * 180) / Math.PI;
  return distanceKm([lat, lon], [Math.min(Math.max(closest, south), north), edge]);
}

/** [skill, path] of every file whose box the circle reaches, for each requested skill. */
function filesFor(query) {
  const origin = [query.origin.lat, query.origin.lon];
  return query.skills.flatMap((skill) =>
    (Object.hasOwn(index.competences, skill) ? index.competences[skill] : []).flatMap((box, number) => (boxDistanceKm(origin, box) <= query.radiusKm + BOX_SLACK_KM ? [[skill, `${skill}/${number}.json`]] : [])),
  );
}

/** The members of the files a query needs; a member found under several skills is joined into one. */
async function loadMembers(query) {
  const files = await Promise.all(filesFor(query).map(async ([skill, path]) => [skill, await fetchJson(path)]));
  const members = new Map();
  for (const [skill, file] of files) {
    for (const [cooperative, id, nom, activite, insee, rayonKm, departements, disponibilites, siteWeb] of file.membres) {
      const key = `${cooperative}/${id}`;
      if (!members.has(key)) {
        const [communeNom, departement, lat, lon] = file.communes[insee];
        members.set(key, {
          cooperative, cooperativeNom: file.cooperatives[cooperative], id, nom, activite, communeNom, departement, lat, lon,
          rayonKm, departements, competences: new Set(), disponibilites, siteWeb,
        });
      }
      members.get(key).competences.add(skill);
    }
  }
  return [...members.values()];
}

// --- Results -----------------------------------------------------------------------------------

function cooperativeUrl(id, fragment = "") {
  return new URL(`cooperatives/${id}/${fragment}`, SITE).href;
}

function professionalSite(member) {
  return /^https?:\/\//i.test(member.siteWeb) ? member.siteWeb : "";
}

function contact(member) {
  const site = professionalSite(member);
  const cooperative = element("a", { href: cooperativeUrl(member.cooperative, "#contact") }, site ? "la coopérative" : "Par la coopérative");
  return site ? [element("a", { href: site, rel: "nofollow noopener" }, "Site professionnel"), " ou ", cooperative] : [cooperative];
}

function availabilityText(member) {
  return member.disponibilites.map((id) => vocabulary.availabilities.get(id)).join(", ") || "non précisée";
}

function servesText(candidate) {
  const { member } = candidate;
  if (!candidate.serves) return `Non (se déplace jusqu'à ${member.rayonKm} km)`;
  return candidate.distanceM <= member.rayonKm * 1000 ? `Oui (se déplace jusqu'à ${member.rayonKm} km)` : "Oui (couvre ce département)";
}

function card(candidate) {
  const { member } = candidate;
  const { query } = answer;
  const facts = element(
    "dl",
    { class: "cae-membre__faits" },
    element("dt", {}, "Coopérative"),
    element("dd", {}, element("a", { href: cooperativeUrl(member.cooperative) }, member.cooperativeNom)),
    element("dt", {}, "Commune"),
    element("dd", {}, `${member.communeNom} (${member.departement}), à ${kmText(candidate.distanceM)} km`),
    element("dt", {}, "Compétences demandées"),
    element("dd", {}, `${labels(candidate.covered)} (${candidate.covered.length} sur ${query.skills.length})`),
    element("dt", {}, `Intervient à ${query.origin.label}`),
    element("dd", {}, servesText(candidate)),
    element("dt", {}, "Collaboration"),
    element("dd", {}, availabilityText(member)),
    element("dt", {}, "Contact"),
    element("dd", {}, ...contact(member)),
  );
  return element(
    "li",
    { class: "cae-membre", "data-id": `${member.cooperative}/${member.id}` },
    element("h3", { class: "cae-membre__nom" }, member.nom),
    element("p", { class: "cae-membre__activite" }, member.activite),
    facts,
  );
}

function showMore() {
  const slice = answer.candidates.slice(shown, shown + PAGE_SIZE);
  shown += slice.length;
  list.append(...slice.map(card));
  more.hidden = shown >= answer.candidates.length;
}

function renderTeam() {
  const { query, team, uncovered } = answer;
  const covered = query.skills.length - uncovered.length;
  teamBox.querySelector(".cae-partenaires__equipe-resume").textContent = team.length
    ? `${plural(team.length, "membre")} ${team.length > 1 ? "réunissent" : "réunit"} ${covered > 1 ? `les ${covered} compétences` : "la compétence"} que l'on trouve dans ce rayon.`
    : "Personne dans ce rayon n'a les compétences demandées.";
  teamBox.querySelector(".cae-partenaires__equipe-liste").replaceChildren(
    ...team.map(({ member, covered: brought, distanceM }) =>
      element(
        "li",
        { "data-id": `${member.cooperative}/${member.id}` },
        element("strong", {}, member.nom),
        ` (${member.cooperativeNom}), ${member.communeNom} à ${kmText(distanceM)} km : ${labels(brought)}. `,
        ...contact(member),
      ),
    ),
  );
  const missing = teamBox.querySelector(".cae-partenaires__manque");
  missing.dataset.competences = uncovered.join(",");
  missing.textContent = uncovered.length
    ? `${uncovered.length > 1 ? "Compétences que personne n'a" : "Compétence que personne n'a"} dans ce rayon : ${labels(uncovered)}. Essayez un rayon plus grand.`
    : "Toutes les compétences demandées sont couvertes.";
  teamBox.hidden = false;
}

function renderResults(sentences) {
  const { query, candidates, team, uncovered } = answer;
  const where = `dans un rayon de ${query.radiusKm} km autour de ${query.origin.label}`;
  say([
    ...sentences,
    candidates.length ? `${plural(candidates.length, "membre")} ${where}.` : `Aucun membre n'a ces compétences ${where}.`,
    team.length ? `Équipe proposée : ${plural(team.length, "membre")}.` : "",
    uncovered.length ? `Non couvert : ${labels(uncovered)}.` : "",
  ]);
  renderTeam();
  list.replaceChildren();
  list.dataset.total = String(candidates.length);
  shown = 0;
  resultsBox.hidden = candidates.length === 0;
  showMore();
}

/** What is missing before a search can run ("" when nothing is). */
function missing() {
  if (!chosen.length) return "Choisissez au moins une compétence.";
  if (commune) return "";
  const typed = placeInput.value.trim();
  return typed ? `Aucune commune ne correspond à « ${typed} ».` : "Indiquez une commune ou un code postal.";
}

async function search(unknown = [], sentences = []) {
  const current = ++request;
  if (unknown.length) sentences.push(`Mots non reconnus : ${unknown.join(", ")}.`);
  if (missing()) {
    say([...sentences, missing()]);
    return;
  }
  const query = {
    skills: [...chosen],
    origin: { lat: commune.lat, lon: commune.lon, departement: commune.departement, label: `${commune.nom} (${commune.departement})` },
    radiusKm: Number(radiusSelect.value),
    availability: availabilitySelect.value,
  };
  writeState(query);
  performance.clearMarks("partenaires-debut");
  performance.clearMeasures("partenaires");
  performance.mark("partenaires-debut");
  say(["Recherche en cours…"]);
  let members;
  try {
    members = await loadMembers(query);
  } catch (error) {
    say(["Les données des membres n'ont pas pu être chargées. Réessayez plus tard."]);
    return;
  }
  if (current !== request) return;
  answer = { query, ...match(members, query) };
  renderResults(sentences);
  performance.measure("partenaires", "partenaires-debut");
}

// --- CSV export ----------------------------------------------------------------------------------

const CSV_COLUMNS = [
  "Rang", "Membre", "Activité", "Coopérative", "Page de la coopérative", "Commune", "Département", "Distance (km)",
  "Compétences demandées", "Nombre de compétences demandées", "Intervient sur le lieu", "Collaboration",
  "Site professionnel", "Dans l'équipe proposée", "Identifiant",
];

// A cell a spreadsheet would read as a formula gets an apostrophe (as in the open-data CSV).
function csvCell(value) {
  const text = /^[=+\-@\t\r]/.test(String(value)) ? `'${value}` : String(value);
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvText() {
  const team = new Set(answer.team);
  const rows = answer.candidates.map((candidate, position) => {
    const { member } = candidate;
    return [
      position + 1, member.nom, member.activite, member.cooperativeNom, cooperativeUrl(member.cooperative), member.communeNom,
      member.departement, kmText(candidate.distanceM), labels(candidate.covered), candidate.covered.length,
      candidate.serves ? "oui" : "non", availabilityText(member), professionalSite(member), team.has(candidate) ? "oui" : "non",
      `${member.cooperative}/${member.id}`,
    ];
  });
  // The byte order mark lets spreadsheets read the accents as UTF-8.
  return `\uFEFF${[CSV_COLUMNS, ...rows].map((row) => row.map(csvCell).join(";")).join("\r\n")}\r\n`;
}

function download() {
  const link = element("a", {
    href: URL.createObjectURL(new Blob([csvText()], { type: "text/csv;charset=utf-8" })),
    download: `partenaires-${commune.insee}-${answer.query.radiusKm}km.csv`,
  });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

// --- Start ---------------------------------------------------------------------------------------

function readVocabulary({ competences, disponibilites }) {
  const skills = new Map(
    competences.map(([id, libelle, synonymes]) => [id, { id, libelle, folded: fold(libelle), forms: synonymes.map((text) => [fold(text), text]) }]),
  );
  return { skills, reader: new SkillIndex(competences), availabilities: new Map(disponibilites) };
}

async function start() {
  try {
    const [vocabularyFile, indexFile] = await Promise.all([fetchJson("vocabulaire.json"), fetchJson("index.json")]);
    vocabulary = readVocabulary(vocabularyFile);
    index = indexFile;
  } catch (error) {
    say(["La recherche de partenaires n'a pas pu être chargée. Consultez les membres par compétence."]);
    return;
  }
  skillInput.before(chips);
  renderChips();
  attachCombobox(skillInput, {
    suggest: async (text) => suggestSkills(text),
    describe: describeSuggestion,
    listLabel: "Compétences proposées",
    onSelect: ({ skill }) => {
      const refused = addSkills([skill.id]);
      if (refused) say([refused]);
      skillInput.value = "";
    },
  });
  const place = attachAutocomplete(placeInput, {
    onSelect: (chosenCommune) => {
      commune = chosenCommune;
    },
    onClear: () => {
      commune = null;
    },
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const typed = vocabulary.reader.parse(skillInput.value);
    const sentences = [addSkills(typed.ids)];
    skillInput.value = typed.unknown.join(" ");
    if (!commune && placeInput.value.trim()) {
      commune = await place.best();
      if (commune) placeInput.value = communeLabel(commune);
    }
    await search(typed.unknown, sentences);
  });
  more.addEventListener("click", showMore);
  resultsBox.querySelector(".cae-partenaires__csv").addEventListener("click", download);
  await restore();
}

start();
