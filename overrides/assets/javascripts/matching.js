// The matching rule of /partenaires/ in the browser: the mirror of scripts/cae/matching.py,
// whose docstrings state the rule. Keep the two in step: the browser tests compare them
// on shared queries.

import { compareText, distanceKm, fold, singular } from "./communes.js";

export const MAX_SKILLS = 8;
export const MAX_RADIUS_KM = 1000;
const STOP_WORDS = new Set("a au aux avec d de des du en et l la le les ou pour un une".split(" "));

function phraseKey(words) {
  return words.map(singular).join(" ");
}

/** Every folded form a visitor may type for a skill [id, libelle, synonymes] (Term.words). */
function skillWords([id, libelle, synonymes]) {
  return new Set([fold(libelle), fold(id.replace(/-/g, " ")), ...synonymes.map(fold)]);
}

/** Skills named by typed text: labels, synonyms and ids, longest phrases first. */
export class SkillIndex {
  /** skills: [id, libelle, synonymes] rows sorted by id. */
  constructor(skills) {
    this.phrases = new Map();
    for (const skill of skills) {
      for (const phrase of [...skillWords(skill)].sort(compareText)) {
        const key = phraseKey(phrase.split(" "));
        if (!this.phrases.has(key)) this.phrases.set(key, skill[0]);
      }
    }
    this.longest = Math.max(0, ...[...this.phrases.keys()].map((key) => key.split(" ").length));
  }

  longestAt(words, position) {
    for (let length = Math.min(this.longest, words.length - position); length > 0; length -= 1) {
      const skill = this.phrases.get(phraseKey(words.slice(position, position + length)));
      if (skill) return [skill, length];
    }
    return ["", 0];
  }

  /** { ids, unknown }: the skills named, in the order typed, and the words naming none. */
  parse(text) {
    const words = fold(text).split(" ").filter(Boolean);
    const ids = [];
    const unknown = [];
    let position = 0;
    while (position < words.length) {
      const [skill, length] = this.longestAt(words, position);
      if (skill) {
        if (!ids.includes(skill)) ids.push(skill);
        position += length;
        continue;
      }
      const word = words[position];
      if (!STOP_WORDS.has(word) && !unknown.includes(word)) unknown.push(word);
      position += 1;
    }
    return { ids, unknown };
  }
}

/** Great-circle distance in whole metres, rounded half up (distance_m in Python). */
export function distanceM(a, b) {
  return Math.floor(distanceKm(a, b) * 1000 + 0.5);
}

function compareKey(a, b) {
  return compareText(a[0], b[0]) || compareText(a[1], b[1]);
}

function compareRank(a, b) {
  return (
    b.covered.length - a.covered.length ||
    Number(!a.serves) - Number(!b.serves) ||
    a.distanceM - b.distanceM ||
    compareText(a.foldedName, b.foldedName) ||
    compareKey(a.key, b.key)
  );
}

/**
 * Members with a requested skill within the radius, ranked.
 * member: { cooperative, id, nom, lat, lon, rayonKm, departements, competences (Set), disponibilites }
 * query: { skills, origin: { lat, lon, departement }, radiusKm, availability }
 */
export function candidates(members, query) {
  const origin = [query.origin.lat, query.origin.lon];
  const limit = query.radiusKm * 1000;
  const found = [];
  for (const member of members) {
    const covered = query.skills.filter((skill) => member.competences.has(skill));
    if (!covered.length || (query.availability && !member.disponibilites.includes(query.availability))) continue;
    const metres = distanceM(origin, [member.lat, member.lon]);
    if (metres > limit) continue;
    const serves = metres <= member.rayonKm * 1000 || member.departements.includes(query.origin.departement);
    found.push({ member, distanceM: metres, covered, serves, key: [member.cooperative, member.id], foldedName: fold(member.nom) });
  }
  return found.sort(compareRank);
}

function compareOption(a, b) {
  if (a.size !== b.size) return a.size - b.size;
  if (a.total !== b.total) return a.total - b.total;
  for (let index = 0; index < a.keys.length; index += 1) {
    const order = compareKey(a.keys[index], b.keys[index]);
    if (order) return order;
  }
  return 0;
}

/**
 * The smallest team covering every requested skill some candidate has; ties: the smallest
 * total distance, then the sorted (cooperative, member) ids. Same two steps as build_team.
 * Returns { team (ranking order), uncovered (request order) }.
 */
export function buildTeam(ranked, skills) {
  const bits = new Map(skills.map((skill, index) => [skill, 1 << index]));
  const byMask = new Map();
  for (const candidate of ranked) {
    const mask = candidate.covered.reduce((sum, skill) => sum + bits.get(skill), 0);
    const kept = byMask.get(mask);
    if (!kept || candidate.distanceM < kept.distanceM || (candidate.distanceM === kept.distanceM && compareKey(candidate.key, kept.key) < 0)) {
      byMask.set(mask, candidate);
    }
  }
  let target = 0;
  for (const mask of byMask.keys()) target |= mask;
  const uncovered = skills.filter((skill) => !(bits.get(skill) & target));
  const masks = [...byMask.keys()].sort((a, b) => a - b);
  const best = new Map([[0, { size: 0, total: 0, keys: [], team: [] }]]);
  for (let subset = 1; subset <= target; subset += 1) {
    if (subset & ~target) continue;
    for (const mask of masks) {
      if (!(mask & subset)) continue;
      const rest = best.get(subset & ~mask);
      const candidate = byMask.get(mask);
      const option = {
        size: rest.size + 1,
        total: rest.total + candidate.distanceM,
        keys: [...rest.keys, candidate.key].sort(compareKey),
        team: [...rest.team, candidate],
      };
      if (!best.has(subset) || compareOption(option, best.get(subset)) < 0) best.set(subset, option);
    }
  }
  const order = new Map(ranked.map((candidate, index) => [candidate, index]));
  return { team: best.get(target).team.sort((a, b) => order.get(a) - order.get(b)), uncovered };
}

/** { candidates (ranked), team, uncovered } for a query: match() in Python. */
export function match(members, query) {
  const ranked = candidates(members, query);
  return { candidates: ranked, ...buildTeam(ranked, query.skills) };
}

/** « 12,3 » km from metres, rounded to 100 m with integers (km_text in Python). */
export function kmText(metres) {
  const tenths = Math.floor((metres + 50) / 100);
  return `${Math.floor(tenths / 10)},${tenths % 10}`;
}
