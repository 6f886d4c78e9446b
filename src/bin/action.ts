/**
 * The action's code, both steps', as one file (dist/chunks/action.js): main.js and post.js
 * import it once the compile cache is on, so post (and a later run) load what main compiled.
 */
export { main } from "../github/main.ts";
export { post } from "../github/post.ts";
