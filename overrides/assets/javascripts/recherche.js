// Search page (/recherche/): full text and facets over the static Pagefind index.
// The index is split in small chunks: only what a query needs is downloaded.
// State lives in the address (?q=…&secteur=…) so a search can be shared.

const FACETS = [
  // [Pagefind filter name, URL parameter, label]
  ["type", "type", "Type de page"],
  ["secteur", "secteur", "Secteur"],
  ["réseau", "reseau", "Réseau"],
  ["région", "region", "Région"],
  ["département", "departement", "Département"],
  ["accueille de nouveaux entrepreneurs", "accueil", "Accueille de nouveaux entrepreneurs"],
];
const PAGE_SIZE = 10;

const root = new URL("../../", import.meta.url);
const form = document.querySelector(".cae-recherche__formulaire");
const input = document.getElementById("cae-recherche-texte");
const filtersBox = document.querySelector(".cae-recherche__filtres");
const status = document.querySelector(".cae-recherche__etat");
const list = document.querySelector(".cae-recherche__resultats");
const more = document.querySelector(".cae-recherche__plus");

let pagefind;
let results = [];
let shown = 0;

function readState() {
  const params = new URLSearchParams(window.location.search);
  const filters = {};
  for (const [name, param] of FACETS) {
    const values = params.getAll(param);
    if (values.length) filters[name] = values;
  }
  return { q: params.get("q") || "", filters };
}

function writeState(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  for (const [name, param] of FACETS) {
    for (const value of state.filters[name] || []) params.append(param, value);
  }
  const query = params.toString();
  window.history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
}

function currentState() {
  const filters = {};
  for (const box of filtersBox.querySelectorAll("input[type=checkbox]:checked")) {
    (filters[box.dataset.filter] ||= []).push(box.value);
  }
  return { q: input.value.trim(), filters };
}

function buildFilters(available, selected) {
  filtersBox.replaceChildren();
  FACETS.forEach(([name, param, label], index) => {
    const values = Object.entries(available[name] || {}).sort((a, b) => a[0].localeCompare(b[0], "fr"));
    if (!values.length) return;
    const details = document.createElement("details");
    details.className = "cae-facette";
    if ((selected[name] || []).length) details.open = true;
    const summary = document.createElement("summary");
    summary.textContent = label;
    const fieldset = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.className = "md-visually-hidden";
    legend.textContent = label;
    fieldset.append(legend);
    values.forEach(([value, count], position) => {
      const id = `facette-${index}-${position}`;
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = id;
      box.value = value;
      box.dataset.filter = name;
      box.checked = (selected[name] || []).includes(value);
      box.addEventListener("change", () => run(currentState()));
      const text = document.createElement("label");
      text.htmlFor = id;
      text.textContent = `${value} (${count})`;
      const line = document.createElement("div");
      line.append(box, text);
      fieldset.append(line);
    });
    details.append(summary, fieldset);
    filtersBox.append(details);
  });
}

// Pagefind's excerpts are escaped text with <mark> around matches; rebuild them
// from text nodes so nothing else can ever reach the page as HTML.
function excerptNodes(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const nodes = [];
  for (const node of template.content.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) nodes.push(document.createTextNode(node.textContent));
    else if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      nodes.push(mark);
    } else nodes.push(document.createTextNode(node.textContent));
  }
  return nodes;
}

async function showMore() {
  const slice = results.slice(shown, shown + PAGE_SIZE);
  shown += slice.length;
  const items = await Promise.all(slice.map((result) => result.data()));
  for (const item of items) {
    const li = document.createElement("li");
    li.className = "cae-resultat";
    const link = document.createElement("a");
    link.href = new URL(item.url.replace(/^\//, ""), root).href;
    link.textContent = item.meta.title || item.url;
    const title = document.createElement("p");
    title.className = "cae-resultat__titre";
    title.append(link);
    const excerpt = document.createElement("p");
    excerpt.className = "cae-resultat__extrait";
    excerpt.append(...excerptNodes(item.excerpt || ""));
    li.append(title, excerpt);
    list.append(li);
  }
  more.hidden = shown >= results.length;
}

async function run(state) {
  writeState(state);
  const filters = {};
  for (const [name, values] of Object.entries(state.filters)) filters[name] = { any: values };
  const hasFilters = Object.keys(filters).length > 0;
  list.replaceChildren();
  shown = 0;
  if (!state.q && !hasFilters) {
    results = [];
    status.textContent = "Tapez des mots ou choisissez un filtre.";
    more.hidden = true;
    buildFilters(await pagefind.filters(), state.filters);
    return;
  }
  const search = await pagefind.search(state.q || null, { filters });
  results = search.results;
  const count = results.length;
  status.textContent = count === 0 ? "Aucun résultat." : `${count} résultat${count > 1 ? "s" : ""}.`;
  buildFilters(hasFilters || state.q ? mergeCounts(await pagefind.filters(), search.filters) : await pagefind.filters(), state.filters);
  await showMore();
}

// Keep every value visible (so a filter can be unticked) with the counts of the current search.
function mergeCounts(all, current) {
  const merged = {};
  for (const [name, values] of Object.entries(all)) {
    merged[name] = {};
    for (const value of Object.keys(values)) merged[name][value] = (current[name] || {})[value] || 0;
  }
  return merged;
}

async function start() {
  try {
    pagefind = await import(new URL("pagefind/pagefind.js", root).href);
    await pagefind.options({ baseUrl: root.pathname });
  } catch (error) {
    status.textContent = "La recherche n'a pas pu être chargée. Consultez la liste des coopératives.";
    return;
  }
  const state = readState();
  if (state.q) input.value = state.q; // never wipe what a visitor typed while the index was loading
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(currentState());
  });
  more.addEventListener("click", showMore);
  await run({ ...state, q: input.value.trim() });
  document.getElementById("cae-recherche").dataset.pret = "oui";
}

start();
