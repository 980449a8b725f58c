"""The Lambda asset's build steps that need no CDK (bytecode for the runtime's Python): stacks/ stages the asset
with them, the bench measures the same."""
