import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);
import{a as T,b as p,c as s}from"./chunk-LGHTAHFP.js";import{a as u,b as c,c as I}from"./chunk-WX2VWRDQ.js";import{d as m}from"./chunk-M6V4KA52.js";import{a as l,c as f}from"./chunk-JJF6FE3G.js";import"./chunk-3OQCBV4W.js";import"./chunk-EO4V6CHG.js";import{appendFile as E}from"node:fs/promises";async function y(t,n,e,o){let i=g(e,"Checking the token with Bitbucket"),r;try{r=await u(t,{log:e.env.BITBUCKET_AUTH_DEBUG?a=>e.stderr.write(`debug: ${a}
`):void 0})}finally{i()}if(!c(r))return e.stdout.write(m(r,{color:o})),s.unfit;let d;if(n&&(d=await I(t,p(e.env),l())),e.stdout.write(m(r,{color:o},d)),T(e.env)&&e.env.BITBUCKET_PIPELINES_VARIABLES_PATH){let a=[`BITBUCKET_AUTH_USERNAME=${r.gitUsername}`,`BITBUCKET_AUTH_EXPIRES_IN_DAYS=${r.expiry.daysLeft??""}`];await E(e.env.BITBUCKET_PIPELINES_VARIABLES_PATH,`${a.join(`
`)}
`)}return s.ok}async function A(t,n){try{let e=await f(p(t.env));t.stdout.write(e.removed.length>0?`Removed the git credentials: ${e.removed.join(", ")}
`:`Nothing to clean up: no git credentials of bitbucket-auth were found.
`)}catch(e){t.stderr.write(`\u26A0 Could not remove the git credentials: ${e.message}
`)}return s.ok}function g(t,n){if(!t.stderr.isTTY)return()=>{};let e="\u280B\u2819\u2839\u2838\u283C\u2834\u2826\u2827\u2807\u280F",o=0,i=()=>t.stderr.write(`\r${e[o++%e.length]} ${n}\u2026`);i();let r=setInterval(i,80);return r.unref(),()=>{clearInterval(r),t.stderr.write("\r\x1B[K")}}export{y as checkAndMaybeSetUp,A as cleanup};
