// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const noTestImports = { group: ["**/test/**"], message: "scripts/ must not import test code: move what both need into scripts/." };
const readEnvInCommands = "stages take what they need of the environment as arguments: read it in the command (ctx.env).";
const noCommandImports = { group: ["**/commands/**", "**/cli.js"], message: "stages never import the commands that call them: pass what they need as arguments." };

export default tseslint.config(
  { ignores: ["build", "build/", ".cache/", "dist/", "node_modules/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.js", "bin/*.js"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-unnecessary-condition": "off",
    },
  },
  {
    // The product (and its benchmarks, bundled with it) never depends on test code; stages never depend
    // on the commands that call them; lib/ is the bottom layer; the engine package is the bottom of the
    // container layer and depends on lib/ only.
    files: ["scripts/**/*.ts"],
    ignores: ["scripts/commands/**", "scripts/cli.ts", "scripts/lib/**", "scripts/engine/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [noTestImports, noCommandImports] }] },
  },
  {
    files: ["scripts/commands/**/*.ts", "scripts/cli.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [noTestImports] }] },
  },
  {
    // Stages never read the environment: the router reads it once and commands pass what a stage needs.
    // Entry points (the router, commands, benchmarks, the small tools) may.
    files: ["scripts/**/*.ts"],
    ignores: ["scripts/cli.ts", "scripts/commands/**", "scripts/bench/**", "scripts/theme/walkthrough-screenshots.ts"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: readEnvInCommands }],
      "no-restricted-syntax": ["error",
        { selector: "MemberExpression[object.property.name='process'][property.name='env']", message: readEnvInCommands },
        { selector: "ImportDeclaration[source.value=/^(node:)?process$/] > :matches(ImportNamespaceSpecifier, ImportDefaultSpecifier, ImportSpecifier[imported.name='env'])", message: readEnvInCommands },
      ],
    },
  },
  {
    files: ["scripts/lib/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [noTestImports, { group: ["../*/**", "!../lib/**"], message: "lib/ is the bottom layer: it imports no other folder of scripts/." }] }] },
  },
  {
    files: ["scripts/engine/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [noTestImports, { group: ["../*/**", "!../lib/**"], message: "the engine package depends on lib/ only." }] }] },
  },
  {
    // Size limits the team keeps: the router stays a router, a command's code stays a screen (its flags,
    // one stage call, the text of the result), and no function grows past a screen and a half.
    files: ["scripts/cli.ts"],
    rules: { "max-lines": ["error", { max: 150, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ["scripts/**/*.ts"],
    rules: { "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ["scripts/commands/**/*.ts"],
    rules: { "max-lines-per-function": ["error", { max: 40, skipBlankLines: true, skipComments: true }] },
  },
  {
    // In tests a missing value should fail loudly at the assertion, which `!` does.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
