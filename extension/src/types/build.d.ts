// The names the build replaces (scripts/build.mjs, esbuild's define); unset when the
// sources run unbundled (the unit tests), which src/lib/config.js checks with typeof.
declare const __CANDOR_API_URL__: string | undefined;
declare const __CANDOR_PUBLIC_KEY__: string | undefined;
declare const __CANDOR_DEVELOPMENT__: boolean | undefined;
