import { describe, expect, it } from 'vitest';
import { artifactMediaType } from './artifact-media-type.js';

describe('artifactMediaType', () => {
  it.each([
    // The types the recording shows MLflow's server answering with.
    ['1/run/artifacts/agent_config.txt', 'text/plain'],
    ['config/agent.json', 'text/plain'],
    ['config/agent.yaml', 'text/plain'],
    ['notes/release.md', 'text/plain'],
    ['eval_results/table.json', 'text/plain'],
    ['images/status_panel.png', 'image/png'],
    ['large/embeddings.bin', 'application/octet-stream'],
    // The rest of MLflow's text names, extension-less ones included.
    ['model/MLmodel', 'text/plain'],
    // MLflow's name for a project file is lower case (it finds `MLproject` case-insensitively).
    ['mlproject', 'text/plain'],
    ['MLproject', 'application/octet-stream'],
    ['app.js', 'text/plain'],
    ['train.py', 'text/plain'],
    ['data.csv', 'text/plain'],
    ['mlmodel', 'application/octet-stream'],
    // Python's mimetypes for the others; unknown kinds are binary.
    ['photo.JPG', 'image/jpeg'],
    ['chart.svg', 'image/svg+xml'],
    ['report.html', 'text/html'],
    ['paper.pdf', 'application/pdf'],
    ['model.pkl', 'application/octet-stream'],
    ['.hidden', 'application/octet-stream'],
    ['no-extension', 'application/octet-stream'],
  ])('%s is served as %s', (path, type) => {
    expect(artifactMediaType(path)).toBe(type);
  });
});
