"""What the tiers share: ``handler`` (invoke the real handler, read what it printed), ``dynamodb`` (the
emulator), ``synth`` (the app synthesized once per configuration) and ``cfn`` (reading its templates),
``logsql`` (Logs Insights queries run as SQL) and ``emit_telemetry`` (every route, in a fresh process)."""
