# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Options and attributes shared by the model onboarding modules.
    DOCUMENTATION = r"""
options:
  exclusive:
    description:
      - Also handle every file this module wrote for a model that is not in O(models) as if that model had
        O(models[].state=absent), so that a model dropped from the inventory loses its targets or rules.
      - Only files whose first line is this module's header are touched, so the two model onboarding modules,
        or hand-written files, can share a directory. Symbolic links, directories and other non-regular
        entries are skipped.
    type: bool
    default: false
  owner:
    description: Owner of the files, a user name or a numeric uid. A user that does not exist fails the run before anything is written.
    type: str
    default: root
  group:
    description: Group of the files, a group name or a numeric gid. A group that does not exist fails the run before anything is written.
    type: str
    default: prometheus
  mode:
    description:
      - Mode of the files, an octal number as a quoted string, such as V('0640') or V('640').
      - A number (V(640) or an unquoted V(0640) in YAML) is refused, since it does not say the mode it seems to;
        so are symbolic modes and any mode that lets every user write the files (C(o+w)).
    type: raw
    default: '0640'
attributes:
  check_mode:
    description: Reports what would change and writes nothing, not even a temporary file, in O(directory).
    support: full
  diff_mode:
    description: Shows the before and after text of every changed file.
    support: full
notes:
  - Every model, O(owner), O(group), O(mode) and O(directory) are checked before anything is written;
    on any error no file changes. Errors name the model and the field.
  - The module changes only the files it wrote, recognised by their first line
    (V(# managed by mlops.observability.<module>:) then the model); its description tells whether a removed model's
    file is deleted or kept. When a model's file is a file another module or a person wrote, a symbolic link (never
    followed nor read) or not a regular file, the run fails and nothing changes.
  - The files hold JSON (which is also YAML) after a header comment, so the hosts need no PyYAML.
  - New files are written in full, with their owner, group and mode, as hidden C(.mlops-*.tmp) files in
    O(directory), then renamed into place, so that Prometheus never reads a half-written file. A failed run
    leaves no such file behind.
  - Only a file's content is compared; a file whose content is right keeps its owner, group and mode.
"""
