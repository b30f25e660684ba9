"""Judge a rolling restart from what the stand-ins recorded (stand-in layer of the elasticsearch scenario).

stdin: {"since": ISO, "restarted": [node...], "untouched": [node...],
        "nodes": {node: [its stand-in's calls file (JSON lines), [ISO time of each "listening on" log line]]}}
For each node of "restarted", in that order, after "since": allocation set to primaries on it, then one start,
then allocation set back to all (null) on it; each node's window ends before the next node's begins. A node of
"untouched" has no start and no allocation change after "since". Prints the windows; exits 1 with the reason.
"""
from __future__ import annotations

import json
import sys


def allocation_changes(calls, since):
    changes = []
    for call in calls:
        body = call.get('body') or {}
        persistent = body.get('persistent') or {} if isinstance(body, dict) else {}
        if call['ts'] > since and call['method'] == 'PUT' and call['path'] == '/_cluster/settings' \
                and 'cluster.routing.allocation.enable' in persistent and call['status'] == 200:
            changes.append((call['ts'], persistent['cluster.routing.allocation.enable']))
    return changes


def main():
    data = json.load(sys.stdin)
    since, problems, windows = data['since'], [], []
    nodes = dict((name, {'calls': [json.loads(line) for line in text.splitlines() if line], 'starts': starts})
                 for name, (text, starts) in data['nodes'].items())
    for name in data['restarted']:
        node = nodes[name]
        changes = allocation_changes(node['calls'], since)
        starts = [ts for ts in node['starts'] if ts > since]
        if [change[1] for change in changes] != ['primaries', None] or len(starts) != 1:
            problems.append('%s: allocation changes %s and starts %s, expected primaries then null around one start'
                            % (name, changes, starts))
            continue
        begin, end = changes[0][0], changes[1][0]
        if not begin < starts[0] < end:
            problems.append('%s: started at %s, outside its window %s - %s' % (name, starts[0], begin, end))
        windows.append((name, begin, starts[0], end))
    for earlier, later in zip(windows, windows[1:]):
        if not earlier[3] < later[1]:
            problems.append('%s began (%s) before %s ended (%s): two nodes restarted at once'
                            % (later[0], later[1], earlier[0], earlier[3]))
    for name in data['untouched']:
        node = nodes[name]
        touched = allocation_changes(node['calls'], since) + [ts for ts in node['starts'] if ts > since]
        if touched:
            problems.append('%s should be untouched, but: %s' % (name, touched))
    for name, begin, start, end in windows:
        print('%s: allocation primaries %s, started %s, allocation back %s' % (name, begin, start, end))
    if problems:
        print('; '.join(problems))
        sys.exit(1)


if __name__ == '__main__':
    main()
