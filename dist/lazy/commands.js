import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);
import{a as U,d as i,e as T,f as b,g as E,h as k,k as g,l as I}from"./chunks/chunk-HVIYTLQK.js";import{a as P}from"./chunks/chunk-7G36OQLO.js";import"./chunks/chunk-ZKDN3XKK.js";import{b as v,c as f}from"./chunks/chunk-EO4V6CHG.js";var w=v((S,B)=>{B.exports=process.getBuiltinModule("node:fs/promises")});var l=f(w(),1);var c=f(U(),1),d=e=>!!e.BITBUCKET_BUILD_NUMBER;function m(e){return{tempDir:e.RUNNER_TEMP||c.tmpdir(),home:e.HOME||c.homedir(),env:e,workspace:e.BITBUCKET_CLONE_DIR||e.GITHUB_WORKSPACE}}var A=f(P(),1);var u={ok:0,unfit:1,badInput:2,unreachable:3,unexpected:4},Y=`Usage: bitbucket-auth <check|setup|cleanup> [options]

  check     Prove the token: identity, scopes, repositories, expiry. Changes nothing.
  setup     check, then git credentials for later commands of this shell or step
            (a 0600 file outside the clone directory, included from the global git config).
  cleanup   Remove what setup added; the global git config is left byte for byte as before.
            Safe to run twice, or when setup never ran (use it in after-script:).

The token comes from BITBUCKET_API_TOKEN, or from standard input with --token-stdin.
It is never accepted as a flag: argument lists are visible to every process.

Options (the GitHub Action's inputs, as flags):
  --email <email>               Atlassian account email (default: BITBUCKET_EMAIL);
                                omit for repository, project or workspace access tokens
  --required-scopes <list>      default: ${i["required-scopes"]}
  --repositories <list>         workspace/repo-slug list to prove read (and push) access to;
                                in Bitbucket Pipelines defaults to $BITBUCKET_REPO_FULL_NAME
                                (--repositories= with an empty value checks none)
  --expires-at <date>           the token's expiry date, YYYY-MM-DD
  --expiry-warning-days <n>     default: ${i["expiry-warning-days"]}
  --rewrite-ssh-urls            setup: also send git@ and ssh:// URLs of the git host over HTTPS
  --api-url <url>               default: ${i["api-url"]}
  --git-url <url>               default: ${i["git-url"]}
  --timeout-seconds <n>         default: ${i["timeout-seconds"]}
  --retries <n>                 default: ${i.retries}
  --token-stdin                 read the token from standard input
  -h, --help                    this text
  -v, --version                 the version

Environment:
  BITBUCKET_API_TOKEN           the token (an Atlassian API token, or an access token)
  BITBUCKET_EMAIL               the email, when --email is not given
  NO_COLOR                      no colour (colour is used only on a terminal anyway)
  BITBUCKET_AUTH_DEBUG          one line per request on stderr (never a header or body)
  In Bitbucket Pipelines (BITBUCKET_BUILD_NUMBER is set), check and setup append
  BITBUCKET_AUTH_USERNAME (git's username) and BITBUCKET_AUTH_EXPIRES_IN_DAYS (when
  --expires-at is given) to $BITBUCKET_PIPELINES_VARIABLES_PATH, for output-variables.

Exit codes: 0 fit for use (or cleaned up), 1 token not fit, 2 bad input or usage,
3 Bitbucket could not be reached (the token was not judged), 4 unexpected error.
`;function h(e,n){return e.isTTY===!0&&!n.NO_COLOR&&n.TERM!=="dumb"}function _(e,n){return t=>e?`\x1B[${n}m${t}\x1B[0m`:t}async function W(e,n,t,r){let o=h(t.stdout,t.env),p=x(t,"Checking the token with Bitbucket"),s;try{s=await T(e,{log:t.env.BITBUCKET_AUTH_DEBUG?y=>t.stderr.write(`debug: ${y}
`):void 0})}finally{p()}if(!b(s))return t.stdout.write(r(g(s,{color:o}))),u.unfit;let a;return n&&(a=await I(e,m(t.env),E())),t.stdout.write(r(g(s,{color:o},a))),a&&(a.replaced>0&&t.stdout.write(`  Replaced ${a.replaced} earlier git credential(s) of this command.
`),t.stdout.write(d(t.env)?"  Remove them with `bitbucket-auth cleanup` in after-script: (it runs even when the step fails).\n":"  Remove them with `bitbucket-auth cleanup` when you are done.\n")),d(t.env)&&t.env.BITBUCKET_PIPELINES_VARIABLES_PATH&&await $(t,t.env.BITBUCKET_PIPELINES_VARIABLES_PATH,s),u.ok}function R(e){let n=[`BITBUCKET_AUTH_USERNAME=${e.gitUsername}`];return e.expiry.daysLeft!==void 0&&n.push(`BITBUCKET_AUTH_EXPIRES_IN_DAYS=${e.expiry.daysLeft}`),`${n.join(`
`)}
`}async function $(e,n,t){try{let r=await(0,l.readFile)(n,"utf8").catch(()=>""),o=r!==""&&!r.endsWith(`
`)?`
`:"";await(0,l.appendFile)(n,`${o}${R(t)}`)}catch(r){e.stderr.write(`\u26A0 Could not append the output variables to ${n}: ${r.message}
`)}}async function J(e){try{let n=await k(m(e.env));return e.stdout.write(n.removed.length>0?`Removed the git credentials: ${n.removed.join(", ")}
`:`Nothing to clean up: no git credentials of bitbucket-auth were found.
`),u.ok}catch(n){let t=_(h(e.stderr,e.env),31);return e.stderr.write(`${t(`\u2718 Could not remove the git credentials: ${n.message}`)}
  \u2192 Remove the lines between "# bitbucket-api-token-auth \u2026 begin" and "\u2026 end" from the global git config, and the file they include.
`),u.unexpected}}function x(e,n,t=80){if(e.stderr.isTTY!==!0||e.env.TERM==="dumb")return()=>{};let r="\u280B\u2819\u2839\u2838\u283C\u2834\u2826\u2827\u2807\u280F",o=0,p=()=>e.stderr.write(`\r${r[o++%r.length]} ${n}\u2026`);p();let s=setInterval(p,t);return s.unref(),()=>{clearInterval(s),e.stderr.write("\r\x1B[K")}}export{W as checkAndMaybeSetUp,J as cleanup,R as outputVariables,x as spinner};
