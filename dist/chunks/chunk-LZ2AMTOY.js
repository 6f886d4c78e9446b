import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);
import{a as r}from"./chunk-2TEYWVEH.js";async function a(i){process.env.GITHUB_STEP_SUMMARY&&await r.addRaw(i).write()}export{a};
