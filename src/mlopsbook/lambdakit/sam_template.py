"""The AWS SAM template of the two NLP functions (``deploy/lambda/template.yaml``), generated from the runtime facts
and the services, and checked against the committed file by the tests.

Each function: the runtime and architecture the zip was built for, its zip (``CodeUri`` relative to the template:
``dist/lambda/<service>.zip``, what ``make lambda-packages`` writes), one vCPU's memory (``aws.lambda.memory.mb_per_vcpu``), a timeout, reserved
concurrency, and an event of one REST API (``POST /<service>``, proxy integration, payload 1.0, what the handlers
parse). The API is guarded by default (:mod:`~mlopsbook.lambdakit.api_guard`): every method requires an API key, a
usage plan holds the key's throttle and monthly quota, the stage throttles every method, and access logs go to a
log group kept :data:`LOG_RETENTION_DAYS` days. The key's value is in API Gateway (``aws apigateway get-api-key
--include-value``). ``cfn-lint``
validates it and ``aws-sam-translator`` transforms it offline into CloudFormation (``tests/test_lambda_runtime.py``,
in ``.venv-deploy``: their pins conflict with the book's environment).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlopsbook import facts

MEMORY_FACT = "aws.lambda.memory.mb_per_vcpu"
"""The functions' memory: one vCPU's (the fact of that id), what the packages were measured on."""
TIMEOUT_S = 29
"""A REST API integration waits at most 29 s; a longer function timeout would only bill work nobody receives."""
TEMPLATE = Path("deploy") / "lambda" / "template.yaml"
API = "NlpApi"
STAGE = "prod"
LOG_RETENTION_DAYS = 30
"""Days the API's access logs are kept (CloudWatch Logs; a bound on what they cost)."""
ACCESS_LOG_FORMAT = ('{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
                     '"apiKeyId":"$context.identity.apiKeyId","method":"$context.httpMethod",'
                     '"path":"$context.resourcePath","status":"$context.status",'
                     '"latencyMs":"$context.responseLatency","bytes":"$context.responseLength"}')


def memory_mb() -> int:
    """Each function's memory (MB): one full vCPU's worth, the registry's ``aws.lambda.memory.mb_per_vcpu``."""
    return facts.integer(MEMORY_FACT)


def template(rt: Any = None, *, arch: str = "x86_64") -> dict[str, Any]:
    """The SAM template as a dictionary (``rt``: :func:`runtime_facts.facts` by default)."""
    from mlopsbook.lambdakit import api_guard, model_wheels, runtime_facts

    rt = rt if rt is not None else runtime_facts.facts()
    lim = api_guard.post_limits()
    resources: dict[str, Any] = {
        "NlpApiAccessLogs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"RetentionInDays": LOG_RETENTION_DAYS},
        },
        API: {
            "Type": "AWS::Serverless::Api",
            "Properties": {
                "StageName": STAGE,
                "Description": "The post's NLP services: API key required, throttled, one document per request",
                "Auth": {
                    "ApiKeyRequired": True,
                    "UsagePlan": {
                        "CreateUsagePlan": "PER_API",
                        "Description": "The key's share: throttle and monthly quota (mlopsbook api_guard)",
                        "Throttle": {"RateLimit": lim.rate_rps, "BurstLimit": lim.burst},
                        "Quota": {"Limit": lim.monthly_quota, "Period": "MONTH"},
                    },
                },
                "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": lim.rate_rps,
                                    "ThrottlingBurstLimit": lim.burst, "MetricsEnabled": True}],
                "AccessLogSetting": {"DestinationArn": {"Fn::GetAtt": ["NlpApiAccessLogs", "Arn"]},
                                     "Format": ACCESS_LOG_FORMAT},
            },
        },
    }
    outputs: dict[str, Any] = {}
    for service, spec in model_wheels.SERVICES.items():
        logical = f"{service.capitalize()}Function"
        resources[logical] = {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "FunctionName": {"Fn::Sub": f"${{AWS::StackName}}-{service}"},
                "Description": f"The {service} NLP service (mlopsbook), built for {rt.runtime} on {rt.os}",
                "CodeUri": f"../../dist/lambda/{service}.zip",
                "Handler": str(spec["entry"]).removesuffix(".py") + ".handler",
                "Runtime": rt.runtime,
                "Architectures": [arch],
                "MemorySize": memory_mb(),
                "Timeout": TIMEOUT_S,
                "ReservedConcurrentExecutions": lim.reserved_concurrency,
                "Environment": {"Variables": {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}},
                "Events": {"Api": {"Type": "Api", "Properties": {
                    "Path": f"/{service}", "Method": "post", "RestApiId": {"Ref": API},
                    "Auth": {"ApiKeyRequired": True}}}},
            },
        }
        outputs[f"{service.capitalize()}Url"] = {
            "Description": f"POST a JSON document {{\"text\": ...}} to the {service} service (header x-api-key)",
            "Value": {"Fn::Sub": f"https://${{{API}}}.execute-api.${{AWS::Region}}.amazonaws.com/{STAGE}/{service}"},
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": "mlopsbook: the post's two NLP services on AWS Lambda (generated by `mlopsbook infer "
                       "template`; the zips come from `make lambda-packages`)",
        "Resources": resources,
        "Outputs": {**outputs, "ApiKeyId": {"Description": "The API key (its value: aws apigateway get-api-key "
                                                          "--api-key ID --include-value)",
                                            "Value": {"Ref": f"{API}ApiKey"}}},
    }


def render(rt: Any = None) -> str:
    """The template as YAML text (keys in a fixed order)."""
    import yaml

    return "# Generated by `mlopsbook infer template --write`; do not edit (tests compare it with the generator).\n" + \
        yaml.safe_dump(template(rt), sort_keys=False, width=120)


def write(root: Path | None = None) -> Path:
    """Write :data:`TEMPLATE` under the repository root; returns its path."""
    from mlopsbook.paths import repo_root

    path = (root or repo_root()) / TEMPLATE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render())
    return path
