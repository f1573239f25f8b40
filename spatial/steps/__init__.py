"""Pipeline steps: each module registers its config section and its step when imported.

The order of :data:`spatial.pipeline.STEP_MODULES` is the order the steps run.
"""
