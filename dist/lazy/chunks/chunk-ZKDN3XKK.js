import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);
import{b as e}from"./chunk-EO4V6CHG.js";var p=e((r,o)=>{o.exports=process.getBuiltinModule("node:crypto")});var s=e((d,t)=>{t.exports=process.getBuiltinModule("node:http")});export{p as a,s as b};
