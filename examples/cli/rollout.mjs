// A rollout for `agentrack run deploy --model-version 3 -- node examples/cli/rollout.mjs`: exit 0 and the
// deployment run ends with deployment_status=success; a non-zero exit records failed.
console.log(`rolling out into run ${process.env.MLFLOW_RUN_ID}`);
