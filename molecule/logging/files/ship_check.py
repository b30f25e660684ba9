"""Compare what the model host wrote with what the receiver got, line by line.

EVENTS: a JSON object {phase: time the phase's event ended, in seconds since the epoch}.
SOURCES: the model host's prediction logs, oldest first (rotated files, then the current one; .gz read too).
RECEIVED: the receiver's file, one "<arrival time RFC 3339>\t<line as received>" a line.
Prints one JSON object:
  models: per model, the lines written and received, missing, unexpected and duplicated lines, whether the
          received lines are in the written order, and whether both sequences are identical;
  phases: per phase (the request id up to its last "-"), the lines written and received, missing, the lag from
          @timestamp to arrival (p50, p99, in ms), lines a second from the first write to the last arrival, and
          with an event, how long the models went on writing lines of the phase after it (seconds).

Usage: ship_check.py EVENTS RECEIVED SOURCE...
"""
import datetime
import gzip
import json
import sys


def _time(text):
    return datetime.datetime.fromisoformat(text.replace('Z', '+00:00')).timestamp()


def _percentile(values, share):
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1) if ordered else None


def _phase(event):
    return str(event.get('http', {}).get('request', {}).get('id', 'none-0')).rsplit('-', 1)[0]


def main():
    events, received_path, sources = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3:]
    written, phases = {}, {}
    for path in sources:
        opener = gzip.open if path.endswith('.gz') else open
        with opener(path, 'rt', encoding='utf-8') as handle:
            for line in handle:
                line = line.rstrip('\n')
                if line:
                    event = json.loads(line)
                    written.setdefault(event['ml']['model']['name'], []).append(line)
                    phase = phases.setdefault(_phase(event), {'written': set(), 'received': 0, 'lags': [], 'first': None, 'last': None})
                    phase['written'].add(line)
                    stamp = _time(event['@timestamp'])
                    phase['first'] = stamp if phase['first'] is None else min(phase['first'], stamp)
                    phase['last_written'] = max(phase.get('last_written', stamp), stamp)
    received, got_lines = {}, set()
    with open(received_path, encoding='utf-8') as handle:
        for row in handle:
            arrival, line = row.rstrip('\n').split('\t', 1)
            event = json.loads(line)
            received.setdefault(event['ml']['model']['name'], []).append(line)
            got_lines.add(line)
            phase = phases.setdefault(_phase(event), {'written': set(), 'received': 0, 'lags': [], 'first': None, 'last': None})
            phase['received'] += 1
            phase['lags'].append(_time(arrival) - _time(event['@timestamp']))
            phase['last'] = _time(arrival) if phase['last'] is None else max(phase['last'], _time(arrival))
    models = {}
    for model in sorted(set(written) | set(received)):
        sent, got = written.get(model, []), received.get(model, [])
        got_set, sent_set = set(got), set(sent)
        models[model] = {
            'written': len(sent), 'received': len(got),
            'missing': len(sent_set - got_set), 'unexpected': len(got_set - sent_set),
            'duplicated': len(got) - len(got_set),
            'in_order': [line for line in got if line in sent_set] == [line for line in sent if line in got_set],
            'identical': got == sent,
        }
    report = {'models': models, 'phases': {}}
    for name, phase in sorted(phases.items()):
        seconds = (phase['last'] - phase['first']) if phase['first'] is not None and phase['last'] is not None else 0
        report['phases'][name] = {
            'written': len(phase['written']), 'received': phase['received'],
            'missing': len(phase['written'] - got_lines),
            'lag_ms_p50': _percentile(phase['lags'], 0.50), 'lag_ms_p99': _percentile(phase['lags'], 0.99),
            'lines_per_second': round(phase['received'] / seconds, 1) if seconds > 0 else None,
            'written_after_event_s': (round(phase['last_written'] - events[name], 1)
                                      if name in events and 'last_written' in phase else None),
        }
    print(json.dumps(report, sort_keys=True))


if __name__ == '__main__':
    main()
