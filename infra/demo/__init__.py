"""The demo seed of `dangvien up` (dữ liệu mẫu): a commune as a new user would find it.

Everything here is generated and fictional: the province (Tỉnh ủy Hòa Sơn, "(dữ liệu mẫu)" in
its name), its organizations, names, birth dates and citizen IDs (province code 099, which no
province has). The story:

- A district committee (Huyện ủy Sơn Đông) with the grassroots committees of two communes
  (Tân Phú: hamlet cells, the commune-agency, police and health-station cells; An Lạc: an
  intermediate committee over two residential groups, and the military cell), the upper
  secondary school's grassroots committee and the lower secondary school's grassroots cell.
  On 2025-07-01 the district goes: the new commune committee, Đảng ủy xã Tân An, becomes the
  directly-superior committee of all four (docs/rules.md, rule sets by period), and registers
  its hamlets.
- About 120 members registered from their paper dossiers, members of agencies, schools and the
  armed forces linked to the cell where they reside (213-QĐ/TW) with last year's comments, and
  this year's admission targets.
- 33 candidates spread over every stage, from the source listing to recognition (some
  withdrawn or rejected, some overdue so that escalation has fired), and four transfers (one
  in transit, one whose letter is overdue, one temporary stay, one just started).

Facts that are not process steps go through the application service. Every candidate and
transfer runs through the real workflows: a workflow per case and one `act` update per human
step, back-dated, so each case has a live process whose timers and escalations run on today's
clock.

Idempotent: every id and command key derives from the demo's own keys, the data from a seeded
generator and from the anchor date (kept in `demo.json`), and a step its record has already
applied is not sent again. A seed interrupted half-way and run again completes the demo and
duplicates nothing.

The package: `story` (the data), `facts` (recorded through the application), `plans` (every
process's steps), `seed` (driving them through the workflows) and `state` (the data directory's
`demo.json` and the demo users' file).
"""

from infra.demo.seed import DemoResult, DemoSeed, DemoUser
from infra.demo.state import demo_to_seed, mark_seeded, write_demo_users

__all__ = [
    "DemoResult",
    "DemoSeed",
    "DemoUser",
    "demo_to_seed",
    "mark_seeded",
    "write_demo_users",
]
