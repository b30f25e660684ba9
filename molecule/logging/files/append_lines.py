"""Append COUNT copies of the last line of a prediction log to it, as fast as Python writes, each with the
request id PREFIX-<n> (n from 1) and the time of its writing in @timestamp.

Usage: append_lines.py PATH PREFIX COUNT
"""
import datetime
import json
import sys


def main():
    path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path, encoding='utf-8') as handle:
        event = json.loads(handle.readlines()[-1])
    with open(path, 'a', encoding='utf-8') as handle:
        for number in range(1, count + 1):
            event['@timestamp'] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='microseconds')
            event['http']['request']['id'] = '%s-%d' % (prefix, number)
            handle.write(json.dumps(event) + '\n')


if __name__ == '__main__':
    main()
