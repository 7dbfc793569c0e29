// Loads a profile with speedscope's own importer (the code its web app
// runs when a file is dropped on it) and prints what speedscope made of it
// as JSON: per profile (thread) its name, weight unit, total weight, each
// frame's self weight ("frames") and total weight ("totals"), by name, then
// the same summed over every profile.
//   node check.cjs FILE          speedscope, chrome trace or pprof (.pb.gz)
//   node check.cjs --schema FILE also validate against speedscope's schema
//
// speedscope ships as a browser bundle, not a library: its import module
// exists only inside one minified file. We run that file in a sandbox with
// a stub DOM, stopping before it renders the app, and keep the import
// module's exports (importProfileGroupFromText, ...), found by their names
// in the bundle. package-lock.json pins the version this was written for.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

function loadSpeedscope() {
  const dir = path.join(__dirname, 'node_modules/speedscope/dist/release');
  const file = fs.readdirSync(dir).find((f) => /^speedscope-.*\.js$/.test(f));
  if (!file) throw new Error(`no speedscope bundle in ${dir}`);
  let src = fs.readFileSync(path.join(dir, file), 'utf8');
  // var M={};defineExports(M,{importFromFileSystemDirectoryEntry:..., ...})
  const mod = /var ([\w$]+)=\{\};[\w$]+\(\1,\{importFromFileSystemDirectoryEntry/.exec(src);
  if (!mod) throw new Error('speedscope bundle: import module not found');
  // The app loads it lazily: Promise.resolve().then(()=>(init(),M))
  const esc = mod[1].replace(/\$/g, '\\$');
  const init = new RegExp(`\\(\\(\\)=>\\(([\\w$]+)\\(\\),${esc}\\)\\)`).exec(src);
  if (!init) throw new Error('speedscope bundle: import module initialiser not found');
  const tail = src.lastIndexOf('console.log(`speedscope v');
  if (tail < 0) throw new Error('speedscope bundle: app start not found');
  src = `${src.slice(0, tail)}globalThis.__importers=(${init[1]}(),${mod[1]});})();`;

  const stub = () => new Proxy(function () {}, {
    get: (t, k) => (k === Symbol.toPrimitive ? () => '' : stub()),
    apply: () => stub(),
    construct: () => stub(),
  });
  const quiet = { ...console, log() {}, warn: console.warn, error: console.error };
  const ctx = {
    console: quiet, TextDecoder, TextEncoder, setTimeout, clearTimeout, URL,
    Uint8Array, ArrayBuffer, DataView, Promise, WebAssembly,
    document: stub(), navigator: { userAgent: 'node' },
    location: { hash: '', search: '', href: 'http://localhost/' },
    addEventListener() {}, localStorage: { getItem: () => null, setItem() {} },
  };
  ctx.window = ctx;
  ctx.self = ctx;
  ctx.globalThis = ctx;
  vm.createContext(ctx);
  vm.runInContext(src, ctx, { filename: file });
  return ctx.__importers;
}

function validateSchema(text) {
  const Ajv = require('ajv');
  const schema = require('speedscope/dist/release/file-format-schema.json');
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  if (!validate(JSON.parse(text))) {
    throw new Error(`schema: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  }
}

async function main() {
  const args = process.argv.slice(2);
  const schema = args[0] === '--schema';
  const file = schema ? args[1] : args[0];
  const bytes = fs.readFileSync(file);
  if (schema) validateSchema(bytes.toString('utf8'));

  const importers = loadSpeedscope();
  const name = path.basename(file);
  const group = /\.(json)$/.test(name)
    ? await importers.importProfileGroupFromText(name, bytes.toString('utf8'))
    : await importers.importProfilesFromArrayBuffer(name,
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  if (!group) throw new Error('speedscope could not import the file');

  const all = {};
  const allTotals = {};
  const add = (map, k, w) => { map[k] = (map[k] || 0) + w; };
  const profiles = group.profiles.map((p) => {
    const frames = {};
    const totals = {};
    let selfSum = 0;
    p.forEachFrame((f) => {
      const w = f.getSelfWeight();
      add(frames, f.name, w);
      add(all, f.name, w);
      add(totals, f.name, f.getTotalWeight());
      add(allTotals, f.name, f.getTotalWeight());
      selfSum += w;
    });
    return {
      name: p.getName(), unit: p.getWeightUnit(), total: p.getTotalWeight(), selfSum, frames, totals,
    };
  });
  const selfSum = profiles.reduce((a, p) => a + p.selfSum, 0);
  const total = profiles.reduce((a, p) => a + p.total, 0);
  console.log(JSON.stringify({
    name: group.name, total, selfSum, frames: all, totals: allTotals, profiles,
  }, null, 1));
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
