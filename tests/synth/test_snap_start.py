"""snap_start in both settings: us-east-1 synthesizes without it, eu-west-1 with it (tests/support/synth.py).

On: a published version with SnapStart, the alias `live` on it, the Function URL on the alias, the
CloudFront grants on the alias's ARN, the alias's Lambda metrics in the alarms and dashboard, and the
restore-duration chart next to init duration. Off: none of it, the URL on the function.
"""

from __future__ import annotations

from settings.config import SNAPSTART_ALIAS
from tests.support.cfn import UNRESOLVED, alarm_metrics, dashboard_bodies, dashboard_metrics, log_widget_queries
from tests.support.synth import Synth


def test_snap_start_is_on_in_exactly_one_synthesized_setting(synth_us: Synth, synth_eu: Synth) -> None:
    assert (synth_us.config.snap_start, synth_eu.config.snap_start) == (False, True)


def test_version_alias_and_url_follow_the_setting(synth: Synth) -> None:
    service = synth.stacks.service
    fn_id, fn = next(iter(synth.resources(service, "AWS::Lambda::Function").items()))

    def serving(kind: str) -> dict:
        """Resources of ``kind`` outside any condition: the other setting's URL (and its alias and version)
        is also in the template, kept only while the edge moves off it (tests/synth/test_identity.py)."""
        return {k: v for k, v in synth.resources(service, kind).items() if "Condition" not in v}

    ((_, url),) = serving("AWS::Lambda::Url").items()
    url = url["Properties"]
    versions = serving("AWS::Lambda::Version")
    aliases = serving("AWS::Lambda::Alias")
    assert url["TargetFunctionArn"] == {"Fn::GetAtt": [fn_id, "Arn"]}
    assert url["AuthType"] == "AWS_IAM"
    if not synth.config.snap_start:
        assert "SnapStart" not in fn["Properties"]
        assert (versions, aliases) == ({}, {})
        assert "Qualifier" not in url
        return
    assert fn["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    ((version_id, version),) = versions.items()
    ((_, alias),) = aliases.items()
    assert version["Properties"]["FunctionName"] == {"Ref": fn_id}
    # A replaced version is deleted, not kept: each kept version would keep a billed snapshot cache.
    assert (version["DeletionPolicy"], version["UpdateReplacePolicy"]) == ("Delete", "Delete")
    assert alias["Properties"] == {
        "FunctionName": {"Ref": fn_id},
        "FunctionVersion": {"Fn::GetAtt": [version_id, "Version"]},
        "Name": SNAPSTART_ALIAS,
    }
    # The URL invokes the alias, never $LATEST (which SnapStart does not snapshot).
    assert url["Qualifier"] == SNAPSTART_ALIAS
    # SnapStart excludes provisioned concurrency and EFS, and ephemeral storage above 512 MB.
    assert "ProvisionedConcurrencyConfig" not in alias["Properties"]
    assert "FileSystemConfigs" not in fn["Properties"]
    assert fn["Properties"].get("EphemeralStorage", {"Size": 512})["Size"] <= 512


def test_alarm_dimensions_follow_the_setting(synth: Synth) -> None:
    by_name: dict[str, list] = {}
    for m in alarm_metrics(synth.templates["home"]):
        if m.namespace == "AWS/Lambda":
            by_name.setdefault(m.name, []).append(m)
    errors, *shares = by_name["Errors"]  # lambda-errors, and the URL's unanswered 5xx share
    # Throttles (lambda-throttles and the service burn's) and concurrency: function-wide, the
    # reserved-concurrency limit is the function's.
    assert all(m.dim_names == {"FunctionName"} for m in by_name["Throttles"])
    assert all(m.dim_names == {"FunctionName"} for m in by_name.get("ConcurrentExecutions", []))
    if synth.config.snap_start:
        # The code serving the URL: FunctionName + Resource "<function>:live".
        for m in (errors, *shares):
            assert m.dim_names == {"FunctionName", "Resource"}
            assert m.dim_map["Resource"] == f"{UNRESOLVED}:{SNAPSTART_ALIAS}"  # the name is a Ref
    else:
        assert all(m.dim_names == {"FunctionName"} for m in (errors, *shares))


def test_dashboard_reads_the_alias_and_charts_restore_next_to_init(synth: Synth) -> None:
    (body,) = dashboard_bodies(synth.templates["home"])
    lambda_metrics = [m for m in dashboard_metrics(body) if m.namespace == "AWS/Lambda"]
    served = [m for m in lambda_metrics if m.name in ("Invocations", "Errors", "Duration")]
    function_wide = [m for m in lambda_metrics if m.name in ("Throttles", "ConcurrentExecutions")]
    assert served
    assert function_wide
    assert all(m.dim_names == {"FunctionName"} for m in function_wide)
    queries = log_widget_queries(body)
    init = [q for q in queries if "@initDuration" in q]
    restore = [q for q in queries if "Restore Duration" in q]
    assert len(init) == 1
    titles = [w["properties"].get("title", "") for w in body["widgets"]]
    if synth.config.snap_start:
        assert all(m.dim_map.get("Resource") == f"{UNRESOLVED}:{SNAPSTART_ALIAS}" for m in served)
        assert len(restore) == 1
        # Side by side: the two log widgets share a row.
        (init_w,) = [w for w in body["widgets"] if w["properties"].get("title", "").startswith("Init duration")]
        (restore_w,) = [w for w in body["widgets"] if w["properties"].get("title", "").startswith("Restore duration")]
        assert init_w["y"] == restore_w["y"]
        assert restore_w["x"] == init_w["x"] + init_w["width"]
    else:
        assert all(m.dim_names == {"FunctionName"} for m in served)
        assert restore == []
        assert not any(t.startswith("Restore duration") for t in titles)


def test_both_startup_queries_are_saved(synth: Synth) -> None:
    names = {
        q["Properties"]["Name"].rsplit("/", 1)[-1]
        for t in synth.templates["home"].all_templates()
        for q in t.resources("AWS::Logs::QueryDefinition").values()
    }
    assert {"init-durations", "restore-durations"} <= names
