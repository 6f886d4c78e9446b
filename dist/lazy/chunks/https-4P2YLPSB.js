import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);
import{b as t}from"./chunk-EO4V6CHG.js";var o=t((s,e)=>{e.exports=process.getBuiltinModule("node:https")});export default o();
