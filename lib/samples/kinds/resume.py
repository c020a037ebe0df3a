"""Resumes: name and contact line, summary, skills list, work history and education sections."""

from __future__ import annotations

import random
from typing import Any, Optional

from .. import fake
from ..content import LETTER, Doc, Heading, Lines, Paragraph, Rule, Spacer, sp
from ..conventions import MONTHS
from ..templates import TEMPLATES
from .base import Built, pick_font

SKILLS = ["Python", "SQL", "Project management", "Data analysis", "Excel", "Negotiation", "Java", "Public speaking",
          "Accounting", "Figma", "Customer service", "Machine learning", "German", "Spanish", "Logistics"]
TITLES = ["Data Analyst", "Project Manager", "Software Engineer", "Accountant", "Operations Lead", "UX Designer",
          "Sales Manager"]
SCHOOLS = [("University of Springfield", "BSc Economics"), ("Lyon Institute of Technology", "MSc Computer Science"),
           ("Leeds Business School", "BA Business Administration"), ("Vienna University", "MA Design")]
LOCATIONS = ["Berlin, Germany", "Austin, USA", "Leeds, UK", "Zurich, Switzerland", "Toronto, Canada"]


def build_resume(rng: random.Random, layout: int, *, font: Optional[str] = None, jobs: Optional[int] = None) -> Built:
    first, last = fake.person(rng)
    n_jobs = jobs if jobs is not None else rng.randint(1, 4)
    if not 1 <= n_jobs <= 10:
        raise ValueError(f"jobs must be between 1 and 10, got {n_jobs}")
    year = 2024
    experience = []
    for k in range(n_jobs):
        start_year = year - rng.randint(1, 4)
        end = None if k == 0 else f"{MONTHS[rng.randrange(12)]} {year}"
        experience.append({"employer": fake.company(rng), "title": rng.choice(TITLES),
                           "start": f"{MONTHS[rng.randrange(12)]} {start_year}", "end": end})
        year = start_year - 1
    school, degree = rng.choice(SCHOOLS)
    expected: dict[str, Any] = {
        "name": f"{first} {last}",
        "email": f"{first.lower()}.{last.lower()}@mail.example",
        "phone": f"+{rng.randint(1, 49)} {rng.randint(100, 999)} {rng.randint(1000000, 9999999)}",
        "location": rng.choice(LOCATIONS),
        "summary": f"{experience[0]['title']} with {2024 - year} years of experience.",
        "skills": rng.sample(SKILLS, rng.randint(3, 7)),
        "experience": experience,
        "education": [{"institution": school, "degree": degree, "graduation_year": year - rng.randint(0, 2)}],
    }
    doc = Doc(title=f"Resume {expected['name']}", font=pick_font(rng, font), page_size=LETTER,
              blocks=resume_blocks(expected, layout % 2 == 1))
    return Built(doc, "resume", TEMPLATES["resume"].schema, expected)


def resume_blocks(e: dict[str, Any], upper_headings: bool) -> list:
    def section(title: str) -> list:
        return [Spacer(6), Heading([sp(title.upper() if upper_headings else title, bold=True)], 12), Rule()]

    skills: list = []
    for i, skill in enumerate(e["skills"]):
        skills += ([sp(", ")] if i else []) + [sp(skill, f"skills[{i}]")]
    blocks: list = [
        Heading([sp(e["name"], "name", bold=True)], 22),
        Lines([[sp(e["email"], "email"), sp("  |  "), sp(e["phone"], "phone"), sp("  |  "),
                sp(e["location"], "location")]], 9),
        *section("Profile"), Paragraph([sp(e["summary"], "summary"),
                                        sp(" Known for clear reporting and dependable delivery in fast-growing teams.")]),
        *section("Skills"), Paragraph(skills),
        *section("Experience"),
    ]
    for k, job in enumerate(e["experience"]):
        p = f"experience[{k}]"
        period = [sp(job["start"], f"{p}.start"), sp(" - "),
                  sp(job["end"], f"{p}.end") if job["end"] else sp("Present")]
        blocks.append(Lines([[sp(job["title"], f"{p}.title", bold=True), sp(", "), sp(job["employer"], f"{p}.employer")],
                             period]))
    blocks += section("Education")
    for k, edu in enumerate(e["education"]):
        p = f"education[{k}]"
        blocks.append(Lines([[sp(edu["degree"], f"{p}.degree", bold=True), sp(", "),
                              sp(edu["institution"], f"{p}.institution")],
                             [sp("Graduated "), sp(str(edu["graduation_year"]), f"{p}.graduation_year",
                                                   value=edu["graduation_year"])]]))
    return blocks
