"""People directory exports for `spoc people import`: CSV and LDIF, each mistake named by file and line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.directory_files import DirectoryFileError, read_directory

LDIF = """\
version: 1

dn: ou=people,dc=example,dc=com
objectClass: organizationalUnit
ou: people

dn: uid=mia,ou=people,dc=example,dc=com
mail: mia@example.com
cn: Mia Wong
department: Finance

dn: uid=dana,ou=people,dc=example,dc=com
mail: dana@example.com
displayName:: RGFuYSBPJ0JyaWVu
manager: uid=mia,ou=people,dc=example,dc=com
department: Fin
 ance
"""


def test_a_csv_export_reads_managers_and_who_left(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text("Email,Name,Manager,Department,Active\ndana@example.com,Dana,MIA@example.com,Finance,yes\n"
                    "mia@example.com,Mia,,Finance,no\n", encoding="utf-8")
    dana, mia = read_directory(path)
    assert (dana.email, dana.manager, dana.department, dana.active, dana.line) == \
        ("dana@example.com", "mia@example.com", "Finance", True, 2)
    assert (mia.manager, mia.active) == ("", False)


def test_an_ldif_export_reads_managers_by_their_dn(tmp_path: Path) -> None:
    path = tmp_path / "staff.ldif"
    path.write_text(LDIF, encoding="utf-8")
    mia, dana = read_directory(path)
    assert (mia.name, mia.department) == ("Mia Wong", "Finance")
    assert (dana.name, dana.manager, dana.department, dana.line) == ("Dana O'Brien", "mia@example.com", "Finance", 12)


@pytest.mark.parametrize(("name", "text", "said"), [
    ("a.csv", "name,manager\nDana,mia@example.com\n", "a.csv:1: no `email` column"),
    ("b.csv", "email,name\ndana@example.com,Dana\nnot-an-address,X\n", "b.csv:3: 'not-an-address' is not an e-mail"),
    ("c.csv", "email,manager\ndana@example.com,Mia Wong\n", "c.csv:2: manager 'Mia Wong' is not an e-mail"),
    ("d.csv", "email\ndana@example.com\nDANA@example.com\n", "d.csv:3: dana@example.com is also on line 2"),
    ("e.ldif", "dn: uid=x\nmail x@example.com\n", "e.ldif:2: not an LDIF line"),
])
def test_a_bad_export_is_named_with_its_line(tmp_path: Path, name: str, text: str, said: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(DirectoryFileError) as refused:
        read_directory(tmp_path / name)
    assert said in str(refused.value)


def test_spoc_people_import_exits_2_naming_the_line_and_imports_nothing(tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_text("email,name,manager\nkim@example.com,Kim,boss@example.com\n",
                                        encoding="utf-8")
    env = dict(os.environ, SPOC_DATABASE_URL=f"sqlite:///{tmp_path}/spoc.db")
    run = subprocess.run([sys.executable, "-m", "bot", "people", "import", "staff.csv"], capture_output=True,
                         text=True, env=env, cwd=tmp_path, timeout=120)
    assert run.returncode == 2
    assert "staff.csv:2: manager boss@example.com is neither in the file nor known to the desk" in run.stderr
    listed = subprocess.run([sys.executable, "-m", "bot", "people", "list", "--format", "json"], capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=120)
    assert "kim@example.com" not in listed.stdout
