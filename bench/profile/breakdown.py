"""Where a request's CPU goes, from a speedscope file of dotnet-trace's sampled thread time: each sample of a thread
that is serving a request (Kestrel or a thread-pool work item on its stack) and running managed code is given to the
first part of the service found walking up from the sample's leaf. Prints a Markdown table of shares. The sampler
counts a thread-pool worker that spins for work as running, so "other" holds some idle spinning too."""
import json, collections, sys, re
d = json.load(open(sys.argv[1]))
print('| part of the request | share of CPU samples |')
print('| --- | ---: |')
frames = [f['name'] for f in d['shared']['frames']]
CATS = [
 ("query: SQLite/Npgsql + statement pool", r"Microsoft\.Data\.Sqlite|SQLitePCL|SqliteStatementPool|HotSql|Npgsql|PreparedConnection"),
 ("serialization: JSON", r"System\.Text\.Json|WriteResultAsJson|HttpResultsHelper"),
 ("sign-in: authentication", r"Authentication|ApiKey|SignIn|Platform\.Auth"),
 ("access: authorization, spaces, privileges", r"Authorization|Platform\.Access|SpaceLookup|Privileges"),
 ("rate limits", r"RateLimit|RateTier"),
 ("routing", r"AspNetCore\.Routing"),
 ("endpoint code (lookup, views)", r"connectory!Connectory\.(DataConnections|DataCredentials)"),
 ("DI scope, EF context pool", r"DependencyInjection|EntityFrameworkCore"),
 ("telemetry: access log, metrics, activity", r"Telemetry|Logging|OpenTelemetry|Diagnostics\.Metrics|Diagnostics\.Activity|HostingApplicationDiagnostics|HostingMetrics"),
 ("other middleware (errors, limits, host filter)", r"connectory!Connectory\.(Hosting|Errors|Qrs)|HostFiltering|AspNetCore\.Diagnostics"),
 ("sockets: the client's and the database's", r"System\.Net\.Sockets|System\.Net\.Security"),
 ("Kestrel: HTTP parsing, response", r"Kestrel|System\.IO\.Pipelines|AspNetCore\.Http"),
]
REQ = re.compile(r"Kestrel|ThreadPoolWorkQueue\.Dispatch")
c = collections.Counter(); tot = 0
for p in d['profiles']:
    stack=[]; last=None
    for e in p['events']:
        t=e['at']
        if last is not None and stack and frames[stack[-1]]=='CPU_TIME':
            names=[frames[i] for i in stack]
            if any(REQ.search(n) for n in names):
                tot += t-last
                cat = "other (runtime, GC polls, thread pool)"
                for n in reversed(names):
                    hit = next((name for name, pat in CATS if re.search(pat, n)), None)
                    if hit: cat = hit; break
                c[cat] += t-last
        last=t
        if e['type']=='O': stack.append(e['frame'])
        else:
            while stack and stack[-1]!=e['frame']: stack.pop()
            if stack: stack.pop()
for k,v in c.most_common(): print(f"| {k} | {v/tot*100:.0f} % |")
