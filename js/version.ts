/** The package version (package.json's); load() checks that redial.wasm is the same. */
export const version: string = __REDIAL_VERSION__;
