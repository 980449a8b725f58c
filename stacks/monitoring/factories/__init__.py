"""One small factory per service: each turns the catalogue and config into alarm specs (pure data);
``sns`` creates the topics. The facade (``stacks.monitoring.facade``) wires them together."""
