"""Home-region grant: CloudFront (this distribution only) may invoke the function through its URL."""

from __future__ import annotations

from stacks.edge.stack import OUTPUT_DISTRIBUTION_ID
from stacks.service_stack import OUTPUT_FUNCTION_ARN
from tests.support.synth import Synth


def test_both_cloudfront_permissions_scoped_to_the_distribution(synth: Synth) -> None:
    stacks = synth.stacks
    assert stacks.edge_access.region == synth.config.home_region  # Lambda permissions live with the function
    permissions = {
        p["Properties"]["Action"]: p["Properties"]
        for p in synth.resources(stacks.edge_access, "AWS::Lambda::Permission").values()
        if "Condition" not in p  # the retiring target's grants, kept only while the edge moves (test_identity.py)
    }
    assert set(permissions) == {"lambda:InvokeFunctionUrl", "lambda:InvokeFunction"}

    function_arn = {
        "Fn::GetStackOutput": {
            "StackName": stacks.service.stack_name,
            "Region": synth.config.home_region,
            "OutputName": OUTPUT_FUNCTION_ARN,
        }
    }
    distribution_arn = {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":cloudfront::111111111111:distribution/",
                {
                    "Fn::GetStackOutput": {
                        "StackName": stacks.edge.stack_name,
                        "Region": "us-east-1",
                        "OutputName": OUTPUT_DISTRIBUTION_ID,
                    }
                },
            ],
        ]
    }
    for props in permissions.values():
        assert props["Principal"] == "cloudfront.amazonaws.com"
        assert props["FunctionName"] == function_arn
        assert props["SourceArn"] == distribution_arn
    assert permissions["lambda:InvokeFunctionUrl"]["FunctionUrlAuthType"] == "AWS_IAM"
    assert permissions["lambda:InvokeFunction"]["InvokedViaFunctionUrl"] is True

    # The outputs read above exist, holding the function ARN and the distribution id.
    fn_id = next(iter(synth.resources(stacks.service, "AWS::Lambda::Function")))
    dist_id = next(iter(synth.resources(stacks.edge, "AWS::CloudFront::Distribution")))
    # What the URL invokes: the function, or with SnapStart its alias (Ref of an alias is its qualified ARN).
    if synth.config.snap_start:
        alias_id = next(iter(synth.resources(stacks.service, "AWS::Lambda::Alias")))
        expected_arn: dict = {"Ref": alias_id}
    else:
        expected_arn = {"Fn::GetAtt": [fn_id, "Arn"]}
    assert synth.template(stacks.service)["Outputs"][OUTPUT_FUNCTION_ARN]["Value"] == expected_arn
    assert synth.template(stacks.edge)["Outputs"][OUTPUT_DISTRIBUTION_ID]["Value"] == {"Ref": dist_id}
