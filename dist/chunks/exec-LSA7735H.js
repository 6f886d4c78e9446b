import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);
import{a,b}from"./chunk-NRU43RVM.js";import"./chunk-VBMDEQYI.js";export{a as exec,b as getExecOutput};
