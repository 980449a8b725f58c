"""scripts/deploy_plan.py on small hand-made cloud assemblies: what it derives from references alone,
and the `cdk deploy` calls --run makes (a stand-in CLI records them). tests/synth/test_deploy_plan.py
runs it on the real synthesized app."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from scripts.deploy_plan import Reference, Step, main, plan, references
from tests.support.assembly import assembly
from tests.support.paths import ROOT


def weak(stack: str, output: str, region: str = "eu-west-1") -> dict[str, Any]:
    return {"Fn::GetStackOutput": {"StackName": stack, "OutputName": output, "Region": region}}


def resource(**props: Any) -> dict[str, Any]:
    return {"Type": "AWS::SSM::Parameter", "Properties": props}


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """Service (eu-west-1) <- Edge (us-east-1, weak) <- Alarms (weak, nested), and Audit importing an export."""
    nested = {"Resources": {"A": resource(Value=weak("Edge", "DistributionId", "us-east-1"))}}
    (tmp_path / "AlarmsNested.nested.template.json").write_text(json.dumps(nested))
    return assembly(
        tmp_path,
        {
            "Alarms": (
                "eu-west-1",
                {
                    "Resources": {
                        "Child": {
                            "Type": "AWS::CloudFormation::Stack",
                            "Metadata": {"aws:asset:path": "AlarmsNested.nested.template.json"},
                            "Properties": {"TemplateURL": "x"},
                        }
                    }
                },
            ),
            "Edge": ("us-east-1", {"Resources": {"D": resource(Value=weak("Service", "UrlDomain"))}}),
            "Service": (
                "eu-west-1",
                {"Resources": {}, "Outputs": {"TableName": {"Value": "t", "Export": {"Name": "svc-table"}}}},
            ),
            "Audit": ("eu-west-1", {"Resources": {"P": resource(Value={"Fn::ImportValue": "svc-table"})}}),
        },
        deps={},  # no declared dependencies: the order comes from the references alone
    )


def test_references_weak_and_exported_nested_included(app: Path) -> None:
    assert references(app) == [
        Reference("Alarms", "Edge", "DistributionId", weak=True),
        Reference("Audit", "Service", "TableName", weak=False),
        Reference("Edge", "Service", "UrlDomain", weak=True),
    ]


def test_plan_orders_producers_first_and_forces_only_weak_consumers(app: Path) -> None:
    assert plan(app) == [Step(("Service", "Audit"), force=False), Step(("Edge", "Alarms"), force=True)]
    # A consumer whose producer is not deployed in this run has nothing new to read: not forced.
    assert plan(app, ["Edge", "Alarms"]) == [Step(("Edge",), force=False), Step(("Alarms",), force=True)]


def test_a_new_reference_is_followed_without_editing_a_list(app: Path) -> None:
    template = json.loads((app / "Audit.template.json").read_text())
    template["Resources"]["Q"] = resource(Value=weak("Edge", "ApiUrl", "us-east-1"))
    (app / "Audit.template.json").write_text(json.dumps(template))
    assert plan(app) == [Step(("Service",), force=False), Step(("Edge", "Alarms", "Audit"), force=True)]


def test_a_reference_to_a_stack_outside_the_assembly_fails(app: Path) -> None:
    (app / "Edge.template.json").write_text(json.dumps({"Resources": {"D": resource(Value=weak("Other", "X"))}}))
    with pytest.raises(ValueError, match="not in"):
        references(app)


def test_run_deploys_each_step_and_merges_outputs(app: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """--run with a stand-in CLI that records its arguments and writes an outputs file as cdk does."""
    log = tmp_path_factory.mktemp("cli") / "calls.jsonl"
    fake = log.with_name("cdk.py")
    fake.write_text(
        "import json, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "args = sys.argv[1:]\n"
        "out = args[args.index('--outputs-file') + 1]\n"
        "json.dump({s: {'Deployed': s} for s in args[args.index(out) + 1:]}, open(out, 'w'))\n"
    )
    assert main([str(app), "--run", sys.executable, str(fake)]) == 0
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    head = ["deploy", "--app", str(app), "--exclusively"]
    assert [c[:5] for c in calls] == [[*head, "--outputs-file"], [*head, "--force"]]
    assert [c[-2:] for c in calls] == [["Service", "Audit"], ["Edge", "Alarms"]]
    assert json.loads((app / "outputs.json").read_text()) == {
        s: {"Deployed": s} for s in ("Service", "Audit", "Edge", "Alarms")
    }


def test_make_deploy_runs_the_derived_plan_then_verifies() -> None:
    """No hand-written producer/consumer lists: the Makefile synthesizes, runs the plan, verifies."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ndeploy:", 1)[1].split("\n\n", 1)[0]
    lines = [line.strip() for line in recipe.splitlines()[1:]]
    assert "synth" in lines[0]
    assert "scripts.deploy_plan cdk.out --run" in lines[1]
    assert "scripts.verify" in lines[2]
    assert "--force" not in recipe
    assert "Service" not in recipe


@pytest.fixture
def moving_app(tmp_path: Path) -> Path:
    """Service can keep its previous URL target ("fn") while the edge moves to the new one ("fn:live");
    Grants (EdgeAccess) can keep the previous target's grants; Edge reads the URL; Grants reads Edge."""
    retiring = {"Type": "String", "Default": "none"}
    return assembly(
        tmp_path,
        {
            "Service": (
                "eu-west-1",
                {
                    "Parameters": {"RetiringUrlTarget": retiring | {"AllowedValues": ["none", "fn"]}},
                    "Resources": {},
                    "Outputs": {
                        "UrlTarget": {"Value": "fn:live"},
                        "FunctionArn": {"Value": {"Ref": "Alias"}},
                        "UrlDomain": {"Value": {"Fn::GetAtt": ["AliasUrl", "FunctionUrl"]}},
                    },
                },
            ),
            "Edge": (
                "us-east-1",
                {"Resources": {"D": resource(Value=weak("Service", "UrlDomain"))}, "Outputs": {"Id": {"Value": "d"}}},
            ),
            "Grants": (
                "eu-west-1",
                {
                    "Parameters": {"RetiringFunctionArn": retiring},
                    "Resources": {
                        "P": resource(Value=weak("Service", "FunctionArn")),
                        "Q": resource(Value=weak("Edge", "Id", "us-east-1")),
                    },
                },
            ),
        },
        deps={"Edge": ["Service"], "Grants": ["Service", "Edge"]},
    )


DEPLOYED_ARN = "arn:aws:lambda:eu-west-1:111111111111:function:fn"


def deployed_as(target: str | None) -> Any:
    """A stand-in for the deployed outputs: the Service with ``target`` as its URL target (None: not deployed)."""

    def outputs(stack: Any) -> dict[str, str] | None:
        assert stack.artifact_id == "Service", "only a producer that can retire an output is asked"
        return None if target is None else {"UrlTarget": target, "FunctionArn": DEPLOYED_ARN}

    return outputs


def test_a_moving_target_keeps_the_old_one_until_the_edge_has_moved(moving_app: Path) -> None:
    assert plan(moving_app, deployed=deployed_as("fn")) == [
        Step(("Service",), False, (("Service", "RetiringUrlTarget", "fn"),)),  # both URLs
        Step(("Grants",), True, (("Grants", "RetiringFunctionArn", DEPLOYED_ARN),)),  # grants on both
        Step(("Edge",), True),  # the edge moves to the new URL
        Step(("Grants",), True, (("Grants", "RetiringFunctionArn", "none"),)),  # then the old grants go
        Step(("Service",), True, (("Service", "RetiringUrlTarget", "none"),)),  # and the old URL
    ]


@pytest.mark.parametrize("target", [None, "fn:live", "renamed-fn"])
def test_no_move_passes_none_explicitly(moving_app: Path, target: str | None) -> None:
    """Not deployed yet, the same target, or one the Service cannot keep (another function): the plain plan,
    every retiring parameter set to none, so a value left by an interrupted move never lingers."""
    assert plan(moving_app, deployed=deployed_as(target)) == [
        Step(("Service",), False, (("Service", "RetiringUrlTarget", "none"),)),
        Step(("Edge", "Grants"), True, (("Grants", "RetiringFunctionArn", "none"),)),
    ]


def test_run_passes_the_parameters_to_the_cli(moving_app: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from scripts.deploy_plan import run

    log = tmp_path_factory.mktemp("cli") / "calls.jsonl"
    fake = log.with_name("cdk.py")
    fake.write_text(f"import json, sys\nopen({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n")
    assert run(moving_app, [sys.executable, str(fake)], deployed=deployed_as("fn")) == 0
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert [c[c.index("--outputs-file") + 2 :] for c in calls] == [
        ["Service"],
        ["Grants"],
        ["Edge"],
        ["Grants"],
        ["Service"],
    ]
    assert calls[0][4:6] == ["--parameters", "Service:RetiringUrlTarget=fn"]
    assert ["--force", "--parameters", f"Grants:RetiringFunctionArn={DEPLOYED_ARN}"] == calls[1][4:7]
    assert calls[4][4:7] == ["--force", "--parameters", "Service:RetiringUrlTarget=none"]
