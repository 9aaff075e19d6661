// Slipway: remove the install lifecycle scripts from every package.json
// under a folder (node_modules aside), so that a package manager's own
// install runs the dependencies' scripts by the app's policy but never the
// root's or a workspace package's. Usage: node strip-scripts.cjs DIR
// The real manifests are copied back after the install.
const fs = require("fs");
const path = require("path");

const lifecycle = ["preinstall", "install", "postinstall", "preprepare", "prepare", "postprepare", "prepublish", "pnpm:devPreinstall"];

function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && e.name !== ".git") walk(p);
    } else if (e.name === "package.json") {
      strip(p);
    }
  }
}

function strip(file) {
  const text = fs.readFileSync(file, "utf8");
  let pkg;
  try {
    pkg = JSON.parse(text);
  } catch {
    return; // not a manifest the package manager reads either
  }
  if (!pkg || typeof pkg.scripts !== "object" || pkg.scripts === null) return;
  const gone = lifecycle.filter((s) => s in pkg.scripts);
  if (gone.length === 0) return;
  for (const s of gone) delete pkg.scripts[s];
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
  console.log(`slipway: not running ${gone.join(", ")} of ${path.relative(process.argv[2], file) || "package.json"}`);
}

walk(process.argv[2]);
