"""Transform deploy/lambda/template.yaml into CloudFormation with aws-sam-translator, offline (run in .venv-deploy).

``python deploy/lambda/transform_offline.py TEMPLATE`` prints the CloudFormation JSON. Local ``CodeUri`` paths are
replaced by S3 locations, as ``sam package`` would after uploading the zips; no AWS call is made (no managed
policies are referenced; the region comes from ``AWS_DEFAULT_REGION``, default eu-west-1).
"""

import json
import os
import sys

import yaml
from samtranslator.translator.transform import transform


class _NoManagedPolicies:
    def load(self) -> dict:
        return {}


def main(path: str) -> int:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    with open(path) as fh:
        tpl = yaml.safe_load(fh)
    for res in tpl["Resources"].values():
        if res["Type"] == "AWS::Serverless::Function":
            res["Properties"]["CodeUri"] = "s3://mlopsbook-artifacts/" + res["Properties"]["CodeUri"].rsplit("/", 1)[-1]
    out = transform(tpl, {}, _NoManagedPolicies())
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
