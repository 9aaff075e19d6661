// Retarget a standalone output built on one platform to another:
//   node retarget.cjs STANDALONE INSTALL CPU LIBC
// STANDALONE is changed in place. INSTALL is the same lockfile's production
// install, run on the target platform; its tree mirrors STANDALONE's.
//
// 1. Packages whose package.json os, cpu or libc exclude the target go.
// 2. Their parents' dependencies for the target come from INSTALL, at the
//    path they have there, with the symlinks that lead to them (pnpm), and
//    so do theirs.
// 3. Every other native addon (*.node) is replaced by INSTALL's at the same
//    path; one that INSTALL lacks fails, since it would not load.
"use strict";
const fs = require("fs");
const path = require("path");

const [standalone, install, cpu, libc] = process.argv.slice(2);
if (!standalone || !install || !cpu || !libc) {
  console.error("usage: retarget.cjs STANDALONE INSTALL CPU LIBC");
  process.exit(2);
}

// fits is npm's rule for os, cpu and libc lists: a "!x" excludes x, and
// a list of plain names admits only them.
function fits(list, value) {
  if (!Array.isArray(list) || list.length === 0) return true;
  if (list.includes("!" + value)) return false;
  const plain = list.filter((v) => !v.startsWith("!"));
  return plain.length === 0 || plain.includes(value);
}

function platformSpecific(pkg) {
  return ["os", "cpu", "libc"].some((k) => Array.isArray(pkg[k]) && pkg[k].length > 0);
}

function fitsTarget(pkg) {
  return fits(pkg.os, "linux") && fits(pkg.cpu, cpu) && fits(pkg.libc, libc);
}

function deps(pkg) {
  return Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies });
}

// packages walks root for the package folders under node_modules, without
// following symlinks: [{rel, pkg}].
function packages(root) {
  const out = [];
  const walk = (rel, inModules) => {
    let entries;
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    if (inModules && entries.some((e) => e.name === "package.json" && e.isFile())) {
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(root, rel, "package.json"), "utf8"));
        if (typeof pkg.name === "string") out.push({ rel, pkg });
      } catch {
        // not a package manifest
      }
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(path.join(rel, e.name), inModules || e.name === "node_modules");
    }
  };
  walk("", false);
  return out;
}

// files lists the files and symlinks under root, relative to it.
function files(root, keep) {
  const out = [];
  const walk = (rel) => {
    let entries;
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (keep(r, e)) out.push(r);
    }
  };
  walk("");
  return out;
}

const inside = (rel, dirs) => dirs.some((d) => rel === d || rel.startsWith(d + path.sep));

const have = packages(standalone);
const removed = have.filter((p) => platformSpecific(p.pkg) && !fitsTarget(p.pkg));
for (const p of removed) {
  fs.rmSync(path.join(standalone, p.rel), { recursive: true, force: true });
  console.log(`removed ${p.pkg.name}@${p.pkg.version} (${p.rel})`);
}

// The names the target needs: the removed packages' parents' dependencies,
// then those of every package taken.
const removedNames = new Set(removed.map((p) => p.pkg.name));
const wanted = new Set();
for (const p of have) {
  if (removed.includes(p)) continue;
  const d = deps(p.pkg);
  if (d.some((n) => removedNames.has(n))) d.forEach((n) => wanted.add(n));
}
const candidates = packages(install).filter((p) => platformSpecific(p.pkg) && fitsTarget(p.pkg));
const taken = [];
for (let grew = true; grew; ) {
  grew = false;
  for (const p of candidates) {
    if (taken.includes(p) || !wanted.has(p.pkg.name)) continue;
    taken.push(p);
    deps(p.pkg).forEach((n) => wanted.add(n));
    grew = true;
  }
}
const takenDirs = taken.map((p) => p.rel);
for (const p of taken) {
  fs.rmSync(path.join(standalone, p.rel), { recursive: true, force: true });
  fs.mkdirSync(path.dirname(path.join(standalone, p.rel)), { recursive: true });
  fs.cpSync(path.join(install, p.rel), path.join(standalone, p.rel), { recursive: true, verbatimSymlinks: true });
  console.log(`added ${p.pkg.name}@${p.pkg.version} (${p.rel})`);
}

// Symlinks in the install that lead into a taken package (pnpm's layout).
for (const rel of files(install, (r, e) => e.isSymbolicLink())) {
  if (inside(rel, takenDirs)) continue;
  const link = fs.readlinkSync(path.join(install, rel));
  const target = path.relative(install, path.resolve(path.dirname(path.join(install, rel)), link));
  if (!inside(target, takenDirs)) continue;
  const at = path.join(standalone, rel);
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.rmSync(at, { force: true });
  fs.symlinkSync(link, at);
}

// Symlinks left pointing at what was removed.
for (const rel of files(standalone, (r, e) => e.isSymbolicLink())) {
  if (!fs.existsSync(path.join(standalone, rel))) fs.rmSync(path.join(standalone, rel));
}

// Native addons built or downloaded at install time, at the same path.
const missing = [];
let replaced = 0;
for (const rel of files(standalone, (r, e) => e.isFile() && r.endsWith(".node"))) {
  if (inside(rel, takenDirs)) continue;
  const from = path.join(install, rel);
  if (!fs.existsSync(from)) {
    missing.push(rel);
    continue;
  }
  fs.copyFileSync(from, path.join(standalone, rel));
  replaced++;
}
console.log(`replaced ${replaced} native addon(s) with the target's`);
if (missing.length > 0) {
  console.error(`these native addons were built for the build's platform, and the ${cpu} install has none at the same path:`);
  missing.forEach((m) => console.error("  " + m));
  console.error(
    "a Prisma engine library here needs the target in the generator's binaryTargets (or the engine-free prisma-client generator); another package needs a build for the target",
  );
  process.exit(3);
}
