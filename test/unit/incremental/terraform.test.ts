/**
 * Incremental Terraform parsing (tree-sitter edits + per-block model cache) gives the same unit and the same
 * findings as a full parse, after each of many random edits (seeded, so a failure replays).
 */
import assert from 'node:assert/strict';
import { initTerraform, parseTerraformModule } from '../../../server/src/parse/terraform';
import { IncrementalParser } from '../../../server/src/parse/incremental';
import { IncrementalEngine } from '../../../server/src/incremental-engine';
import { assertSameAnalysis, prng, randomEdit } from './support';

const DIR = '/work/incremental-test';
const FILE = `${DIR}/main.tf`;

function block(i: number): string {
  return `# notebook ${i}
resource "aws_sagemaker_notebook_instance" "nb${i}" {
  name          = "nb-${i}"
  instance_type = "ml.t3.medium"
  role_arn      = aws_iam_role.r${i}.arn
  kms_key_id    = ${i % 2 ? `aws_kms_key.k${i}.arn` : 'null'}
  direct_internet_access = "${i % 3 ? 'Disabled' : 'Enabled'}"
}

resource "aws_iam_role" "r${i}" {
  name = "role-\${var.name}-${i}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "sagemaker.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "p${i}" {
  role   = aws_iam_role.r${i}.id
  policy = <<POLICY
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
POLICY
}

resource "aws_kms_key" "k${i}" {
  enable_key_rotation = true
}
`;
}

const BASE = `variable "name" {
  default = "bench"
}

locals {
  tags = { Owner = var.name } // owner
}
${[0, 1, 2, 3, 4, 5].map(block).join('\n')}`;

describe('incremental Terraform parsing', function () {
  this.timeout(60000);
  before(async () => {
    await initTerraform();
  });

  it('equals a full parse after each of 300 random edits (seeded)', () => {
    const inc = new IncrementalParser();
    const engine = new IncrementalEngine();
    try {
      const rnd = prng(20261203);
      let text = BASE;
      const started = Date.now();
      let edits = 0;
      for (; edits < 300 && Date.now() - started < 20000; edits++) {
        // mostly small edits on the current text; now and then back to the clean base (recovery, then re-use)
        text = rnd() < 0.1 ? BASE : randomEdit(rnd, text, 'ab1 ={}"\n\r#[]().$,');
        const files = [{ path: FILE, text }];
        assertSameAnalysis(engine, DIR, inc.terraform(DIR, files), parseTerraformModule(DIR, files, undefined), `after edit ${edits}`);
      }
      assert.ok(edits >= 50, `only ${edits} edits in the time box`);
      assert.ok(inc.stats().terraform.incremental > 0, 'the tree was re-used');
      assert.ok(engine.stats().incremental > 0, 'some analyses re-checked part of the unit');
    } finally {
      inc.dispose();
    }
  });

  it('equals a full parse in a module of several files (one edited, BOM, tfvars)', () => {
    const inc = new IncrementalParser();
    const engine = new IncrementalEngine();
    try {
      const rnd = prng(4242);
      const vars = { path: `${DIR}/variables.tf`, text: '\ufeffvariable "name" {\n  default = "x"\n}\n' };
      const tfvars = { path: `${DIR}/terraform.tfvars`, text: 'name = "prod"\n' };
      let text = [2, 3].map(block).join('\n');
      for (let n = 0; n < 60; n++) {
        text = randomEdit(rnd, text, 'ab1 ={}"\n#');
        const files = [vars, { path: FILE, text }, tfvars];
        assertSameAnalysis(engine, DIR, inc.terraform(DIR, files), parseTerraformModule(DIR, files, undefined), `after edit ${n}`);
      }
    } finally {
      inc.dispose();
    }
  });

  it('a typo that folds the rest of the file into an error, then its undo: same as full parses, no full re-parse', () => {
    const inc = new IncrementalParser();
    const engine = new IncrementalEngine();
    try {
      const files = (t: string) => [{ path: FILE, text: t }];
      engine.analyze(DIR, inc.terraform(DIR, files(BASE)));
      const at = BASE.indexOf('}\n\nresource "aws_iam_role" "r1"');
      const typo = BASE.slice(0, at) + 'd' + BASE.slice(at);
      const broken = inc.terraform(DIR, files(typo));
      assert.ok(broken.issues.length > 0);
      assertSameAnalysis(engine, DIR, broken, parseTerraformModule(DIR, files(typo), undefined), 'with the typo');
      assertSameAnalysis(engine, DIR, inc.terraform(DIR, files(BASE)), parseTerraformModule(DIR, files(BASE), undefined), 'after the undo');
      const typed = BASE.replace('"nb-1"', '"nb-1x"');
      assertSameAnalysis(engine, DIR, inc.terraform(DIR, files(typed)), parseTerraformModule(DIR, files(typed), undefined), 'typing on');
      assert.equal(inc.stats().terraform.full, 1, 'only the first parse was a full one');
    } finally {
      inc.dispose();
    }
  });

  it('re-uses unchanged blocks and shifts them when lines move', () => {
    const inc = new IncrementalParser();
    try {
      const files = (t: string) => [{ path: FILE, text: t }];
      inc.terraform(DIR, files(BASE));
      const edited = '\n\n' + BASE.replace('"nb-5"', '"nb-55"');
      const a = inc.terraform(DIR, files(edited));
      assertSameAnalysis(new IncrementalEngine(), DIR, a, parseTerraformModule(DIR, files(edited), undefined), 'after inserting lines at the top');
      assert.equal(a.inputs.get('name')?.range.start.line, 2);
    } finally {
      inc.dispose();
    }
  });
});
