// French communes for the browser: lookups over small static files (never the whole
// gazetteer) and an accessible autocomplete field (ARIA combobox pattern).
// Files are written by scripts/cae/generate/communes.py; the comparisons mirror its
// search_form() and cae.text.fold() in Python.

const BASE = new URL("../../donnees/communes/", import.meta.url);
const cache = new Map();

async function load(path) {
  if (!cache.has(path)) {
    cache.set(
      path,
      fetch(new URL(path, BASE)).then((response) => (response.ok ? response.json() : null)),
    );
  }
  return cache.get(path);
}

/** Lower-case, accent-free, punctuation as single spaces (same as Python's fold). */
export function fold(text) {
  return text
    .replace(/œ/g, "oe")
    .replace(/Œ/g, "Oe")
    .replace(/æ/g, "ae")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** A folded word without a final plural « s » or « x » (more than three letters): Python's text.singular. */
export function singular(word) {
  return word.length > 3 && /[sx]$/.test(word) ? word.slice(0, -1) : word;
}

/** How names and queries are compared: folded, with « St » and « Ste » written out. */
export function searchForm(text) {
  return fold(text).replace(/\bste\b/g, "sainte").replace(/\bst\b/g, "saint");
}

/** Plain code-point order, as Python sorts strings. */
export function compareText(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

const EARTH_RADIUS_KM = 6371.009;

/** Great-circle distance in km: the formula and radius of geopy's great_circle. */
export function distanceKm([lat1, lon1], [lat2, lon2]) {
  const rad = Math.PI / 180;
  const [p1, p2] = [lat1 * rad, lat2 * rad];
  const delta = (lon2 - lon1) * rad;
  const [sin1, cos1, sin2, cos2] = [Math.sin(p1), Math.cos(p1), Math.sin(p2), Math.cos(p2)];
  const [cosDelta, sinDelta] = [Math.cos(delta), Math.sin(delta)];
  const d = Math.atan2(
    Math.sqrt((cos2 * sinDelta) ** 2 + (cos1 * sin2 - sin1 * cos2 * cosDelta) ** 2),
    sin1 * sin2 + cos1 * cos2 * cosDelta,
  );
  return EARTH_RADIUS_KM * d;
}

function commune(row) {
  const [insee, nom, codes, departement, lat, lon, population, parent] = row;
  return { insee, nom, codesPostaux: codes ? codes.split(" ") : [], departement, lat, lon, population, parent };
}

function postcodeKey(code) {
  return code.startsWith("97") ? code.slice(0, 3) : code.slice(0, 2);
}

/** Communes whose postcode starts with the digits typed (at least 2). */
async function byPostcode(digits, limit) {
  const rows = (await load(`cp/${postcodeKey(digits)}.json`)) || [];
  return rows
    .map(commune)
    .filter((c) => c.codesPostaux.some((code) => code.startsWith(digits)))
    .sort(
      (a, b) =>
        (a.codesPostaux.includes(digits) ? 0 : 1) - (b.codesPostaux.includes(digits) ? 0 : 1) ||
        b.population - a.population ||
        compareText(searchForm(a.nom), searchForm(b.nom)) ||
        compareText(a.insee, b.insee),
    )
    .slice(0, limit);
}

/** Communes whose name starts with the text typed (accents, case, « St » ignored). */
async function byName(text, limit) {
  const wanted = searchForm(text);
  const index = await load("noms/index.json");
  if (!index || wanted.length < index.taille_min) return [];
  let prefix = null;
  for (let length = Math.min(wanted.length, 12); length >= index.taille_min; length -= 1) {
    const candidate = wanted.slice(0, length);
    if (candidate in index.prefixes) {
      prefix = candidate;
      break;
    }
  }
  if (prefix === null) return [];
  const rows = (await load(`noms/${prefix.replace(/ /g, "_")}.json`)) || [];
  const exact = [];
  const starts = [];
  for (const c of rows.map(commune)) {
    const name = searchForm(c.nom);
    if (name === wanted) exact.push(c);
    else if (name.startsWith(wanted)) starts.push(c);
  }
  return exact.concat(starts).slice(0, limit);
}

/** Communes matching a name or a postcode, most likely first. */
export async function findCommunes(text, limit = 10) {
  const trimmed = text.trim();
  if (/^\d{2,5}$/.test(trimmed)) return byPostcode(trimmed, limit);
  return byName(trimmed, limit);
}

/** A commune from its INSEE code (as kept in a shared address), or null. */
export async function communeByInsee(insee) {
  if (!/^(\d{2}|2[AB])\d{3}$/.test(insee)) return null;
  const departement = insee.startsWith("97") ? insee.slice(0, 3) : insee.slice(0, 2);
  const rows = (await load(`insee/${departement}.json`)) || [];
  const row = rows.find((r) => r[0] === insee);
  return row ? commune(row) : null;
}

function squaredDistance(a, lat, lon) {
  const x = (a.lon - lon) * Math.cos((lat * Math.PI) / 180);
  const y = a.lat - lat;
  return x * x + y * y;
}

/** The commune nearest to a position (used for « autour de moi »), or null outside France. */
export async function nearestCommune(lat, lon) {
  const departements = (await load("departements.json")) || [];
  const margin = 0.05;
  const candidates = departements.filter(({ bbox: [south, west, north, east] }) => lat >= south - margin && lat <= north + margin && lon >= west - margin && lon <= east + margin);
  let best = null;
  for (const departement of candidates) {
    for (const row of (await load(`insee/${departement.code}.json`)) || []) {
      const c = commune(row);
      if (best === null || squaredDistance(c, lat, lon) < squaredDistance(best, lat, lon)) best = c;
    }
  }
  return best;
}

export function label(c) {
  const codes = c.codesPostaux.length ? ` (${c.codesPostaux[0]}${c.codesPostaux.length > 1 ? "…" : ""})` : ` (${c.departement})`;
  return `${c.nom}${codes}`;
}

/**
 * Turn a text input into an accessible autocomplete (ARIA combobox pattern).
 * suggest(text) resolves to the options, describe(option) is their text;
 * onSelect(option) is called when one is chosen (click, Enter).
 */
export function attachCombobox(input, { suggest, describe, listLabel, onSelect, onClear = () => {} }) {
  const list = document.createElement("ul");
  list.id = `${input.id}-suggestions`;
  list.className = "cae-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", listLabel);
  list.hidden = true;
  input.after(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");

  let options = [];
  let active = -1;
  let timer = null;
  let request = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    [...list.children].forEach((item, position) => item.setAttribute("aria-selected", String(position === index)));
    if (index >= 0) input.setAttribute("aria-activedescendant", list.children[index].id);
    else input.removeAttribute("aria-activedescendant");
  }

  function choose(index) {
    const chosen = options[index];
    if (!chosen) return;
    input.value = describe(chosen);
    close();
    onSelect(chosen);
  }

  async function show() {
    const current = ++request;
    const found = await suggest(input.value);
    if (current !== request) return;
    options = found;
    list.replaceChildren(
      ...found.map((c, index) => {
        const item = document.createElement("li");
        item.id = `${list.id}-${index}`;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = describe(c);
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(index);
        });
        return item;
      }),
    );
    const open = found.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    highlight(-1);
  }

  input.addEventListener("input", () => {
    onClear();
    clearTimeout(timer);
    timer = setTimeout(show, 80);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      if (list.hidden) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
      highlight((active + 1) % options.length);
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      highlight((active - 1 + options.length) % options.length);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

/**
 * Turn a text input into an accessible commune autocomplete.
 * onSelect(commune) is called when a suggestion is chosen (click, Enter).
 */
export function attachAutocomplete(input, { onSelect, onClear = () => {} }) {
  attachCombobox(input, { suggest: (text) => findCommunes(text, 8), describe: label, listLabel: "Communes proposées", onSelect, onClear });
  return {
    /** The first suggestion for the current text (used when the form is sent without choosing). */
    async best() {
      const found = await findCommunes(input.value, 1);
      return found[0] || null;
    },
  };
}
