import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);
import{a as r,b as m,c as g,d as h,e as T,h as p,i as b}from"./chunks/chunk-A4WH7QKD.js";import{appendFile as E}from"node:fs/promises";import*as a from"node:os";var d=e=>!!e.BITBUCKET_BUILD_NUMBER;function l(e){return{tempDir:e.RUNNER_TEMP||a.tmpdir(),home:e.HOME||a.homedir(),env:e,workspace:e.BITBUCKET_CLONE_DIR||e.GITHUB_WORKSPACE}}var u={ok:0,unfit:1,badInput:2,unreachable:3,unexpected:4},S=`Usage: bitbucket-auth <check|setup|cleanup> [options]

  check     Prove the token: identity, scopes, repositories, expiry. Changes nothing.
  setup     check, then git credentials for later commands (global git config include).
  cleanup   Remove what setup added. Safe to run twice, or when setup never ran.

The token comes from BITBUCKET_API_TOKEN, or from standard input with --token-stdin.
It is never accepted as a flag: argument lists are visible to every process.

Options (the GitHub Action's inputs, as flags):
  --email <email>               Atlassian account email (or BITBUCKET_EMAIL); omit for access tokens
  --required-scopes <list>      default: ${r["required-scopes"]}
  --repositories <list>         workspace/repo-slug list; in Pipelines defaults to this repository
  --expires-at <date>           the token's expiry date, YYYY-MM-DD
  --expiry-warning-days <n>     default: ${r["expiry-warning-days"]}
  --rewrite-ssh-urls            also send git@ and ssh:// URLs of the git host over HTTPS
  --api-url <url>               default: ${r["api-url"]}
  --git-url <url>               default: ${r["git-url"]}
  --timeout-seconds <n>         default: ${r["timeout-seconds"]}
  --retries <n>                 default: ${r.retries}
  --token-stdin                 read the token from standard input
  -h, --help                    this text
  -v, --version                 the version

Exit codes: 0 fit for use (or cleaned up), 1 token not fit, 2 bad input or usage,
3 Bitbucket could not be reached (the token was not judged), 4 unexpected error.
`;async function L(e,o,t,s){let i=I(t,"Checking the token with Bitbucket"),n;try{n=await m(e,{log:t.env.BITBUCKET_AUTH_DEBUG?c=>t.stderr.write(`debug: ${c}
`):void 0})}finally{i()}if(!g(n))return t.stdout.write(p(n,{color:s})),u.unfit;let f;if(o&&(f=await b(e,l(t.env),h())),t.stdout.write(p(n,{color:s},f)),d(t.env)&&t.env.BITBUCKET_PIPELINES_VARIABLES_PATH){let c=[`BITBUCKET_AUTH_USERNAME=${n.gitUsername}`,`BITBUCKET_AUTH_EXPIRES_IN_DAYS=${n.expiry.daysLeft??""}`];await E(t.env.BITBUCKET_PIPELINES_VARIABLES_PATH,`${c.join(`
`)}
`)}return u.ok}async function H(e,o){try{let t=await T(l(e.env));e.stdout.write(t.removed.length>0?`Removed the git credentials: ${t.removed.join(", ")}
`:`Nothing to clean up: no git credentials of bitbucket-auth were found.
`)}catch(t){e.stderr.write(`\u26A0 Could not remove the git credentials: ${t.message}
`)}return u.ok}function I(e,o){if(!e.stderr.isTTY)return()=>{};let t="\u280B\u2819\u2839\u2838\u283C\u2834\u2826\u2827\u2807\u280F",s=0,i=()=>e.stderr.write(`\r${t[s++%t.length]} ${o}\u2026`);i();let n=setInterval(i,80);return n.unref(),()=>{clearInterval(n),e.stderr.write("\r\x1B[K")}}export{L as checkAndMaybeSetUp,H as cleanup};
