/**
 * Jest runs test files in a vm context where `import()` needs --experimental-vm-modules, and PGlite's CommonJS
 * build loads Node built-ins with `import("fs/promises")` and the like. This transform (for PGlite's files only,
 * in tests only; plain Node runs the package as shipped) turns each into a `require` of the same module.
 */
const DYNAMIC_IMPORT = /\bimport\(\s*(["'])([^"']+)\1\s*\)/g;

module.exports = {
  process(source) {
    // PGlite's Emscripten code declares its own `require`, so the module's one is kept under another name.
    const code = source.replace(
      DYNAMIC_IMPORT,
      (_, q, name) => `Promise.resolve(__pgliteRequire(${q}${name}${q}))`,
    );
    return { code: `var __pgliteRequire = require;${code}` };
  },
};
