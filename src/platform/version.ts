// The API version, in its own module: `lastro --help` and `--version` print it without loading the app.
export const API_VERSION = '0.1.0';
