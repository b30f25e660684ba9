"""Derive the contract fixture (elasticsearch-reference.json) from Elastic's reference files.

The reference folder (../shared/reference beside the repository, or the path given) holds Elastic's REST API
spec, its ILM YAML REST test and the specification's request/response examples; the project does not ship them.
This keeps only what the contract tests need - request and response bodies, paths and the expected outcome of
each policy of the REST test - with the file it came from. Run it again when the reference changes
(`.venv/bin/python tests/modules/contract/derive.py [REFERENCE_DIR]`);
tests/modules/test_elasticsearch_contract.py checks that the fixture still matches the reference when the folder is there.
"""
from __future__ import annotations

import glob
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, '..', '..', '..', '..', 'shared', 'reference', 'elasticsearch')
FIXTURE = os.path.join(HERE, 'elasticsearch-reference.json')


def example(root, path):
    with open(os.path.join(root, path)) as handle:
        data = yaml.safe_load(handle)
    return {'source': 'elastic/elasticsearch-specification ' + path.replace('spec-examples/', 'specification/'),
            'method_request': data.get('method_request'),
            'body': json.loads(data['value']) if data.get('value') else None}


def rest_test_policies(root, path):
    """Every ilm.put_lifecycle body of the YAML REST test, and whether the test expects it refused."""
    with open(os.path.join(root, path)) as handle:
        documents = list(yaml.safe_load_all(handle))
    cases = []
    for title, steps in [item for document in documents for item in document.items() if title_is_test(item[0])]:
        for step in steps or []:
            call = step.get('do') or {}
            if 'ilm.put_lifecycle' in call:
                body = call['ilm.put_lifecycle']['body']
                body = json.loads(body) if isinstance(body, str) else body
                cases.append({'test': title, 'policy': call['ilm.put_lifecycle']['policy'],
                              'phases': body['policy']['phases'], 'refused': 'catch' in call})
    return {'source': 'elastic/elasticsearch x-pack/plugin/ilm/qa/rest/src/yamlRestTest/resources/' + path, 'cases': cases}


def title_is_test(title):
    return title not in ('setup', 'teardown')


def api_paths(root):
    paths = {}
    for path in sorted(glob.glob(os.path.join(root, 'rest-api-spec', 'api', '*.json'))):
        with open(path) as handle:
            spec = json.load(handle)
        for name, api in spec.items():
            paths[name] = [{'path': p['path'], 'methods': p['methods']} for p in api['url']['paths']]
    return {'source': 'elastic/elasticsearch rest-api-spec/src/main/resources/rest-api-spec/api/*.json', 'apis': paths}


def derive(root):
    return {
        'about': 'Derived by tests/contract/derive.py from Elastic reference files; each part names its source.',
        'put_lifecycle_request': example(root, 'spec-examples/ilm/put_lifecycle/examples/request/PutLifecycleRequestExample1.yaml'),
        'put_lifecycle_response': example(root, 'spec-examples/ilm/put_lifecycle/examples/response/PutLifecycleResponseExample1.yaml'),
        'get_lifecycle_request': example(root, 'spec-examples/ilm/get_lifecycle/examples/request/IlmGetLifecycleExample1.yaml'),
        'get_lifecycle_response': example(root, 'spec-examples/ilm/get_lifecycle/examples/response/GetLifecycleResponseExample1.yaml'),
        'delete_lifecycle_request': example(root, 'spec-examples/ilm/delete_lifecycle/examples/request/IlmDeleteLifecycleExample1.yaml'),
        'delete_lifecycle_response': example(root, 'spec-examples/ilm/delete_lifecycle/examples/response/DeleteLifecycleResponseExample1.yaml'),
        'rest_test_policies': rest_test_policies(root, 'rest-api-spec/test/ilm/10_basic.yml'),
        'api_paths': api_paths(root),
    }


if __name__ == '__main__':
    data = derive(sys.argv[1] if len(sys.argv) > 1 else DEFAULT)
    with open(FIXTURE, 'w') as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write('\n')
    print('wrote %s: %d REST test policies' % (FIXTURE, len(data['rest_test_policies']['cases'])))
