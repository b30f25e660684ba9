# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Options and attributes shared by the model onboarding modules.
    DOCUMENTATION = r"""
options:
  exclusive:
    description:
      - Also remove the files this collection wrote for models that are not in O(models), so that a
        model dropped from the inventory loses its file. Other files in the directory are left alone.
    type: bool
    default: false
  owner:
    description: Owner of the files.
    type: str
    default: root
  group:
    description: Group of the files.
    type: str
    default: prometheus
  mode:
    description: Mode of the files.
    type: raw
    default: '0640'
attributes:
  check_mode:
    description: Reports what would change and writes nothing.
    support: full
  diff_mode:
    description: Shows the before and after text of every changed file.
    support: full
notes:
  - Every model is checked before anything is written; on any error no file changes.
  - The files hold JSON (which is also YAML) after a header comment, so the hosts need no PyYAML.
  - Files are staged as hidden C(.tmp) files in the same directory and renamed into place, so that
    Prometheus never reads a half-written file.
"""
