"""Demo AMA archive: a dozen past sessions and one upcoming session with questions."""

import datetime

from django.utils import timezone

from ama.factories import (
    ChapterFactory,
    PanelistFactory,
    QuestionFactory,
    QuestionVoteFactory,
    TopicFactory,
    UpcomingSessionFactory,
    VideoFactory,
)
from ama.models import Audience, Question, UpcomingSession, Video
from lmsa_portal.factories import create_or_refresh
from lmsa_portal.localized import ContentLanguage
from members.access import is_active_member
from members.models import User

# slug: (name, name in Spanish)
TOPICS = {
    "applying": (
        "Applying to medical school",
        "Solicitar ingreso a la escuela de medicina",
    ),
    "mcat": ("MCAT", "MCAT"),
    "personal-statement": ("Personal statements", "Ensayos personales"),
    "interviews": ("Interviews", "Entrevistas"),
    "match": ("The Match", "El Match"),
    "away-rotations": ("Away rotations", "Rotaciones externas"),
    "research": ("Research", "Investigación"),
    "latino-physicians": ("Being a Latino physician", "Ser médico latino"),
    "financial-aid": ("Financial aid", "Ayuda financiera"),
    "step-exams": ("USMLE Step exams", "Exámenes USMLE Step"),
    "wellness": ("Wellness", "Bienestar"),
    "gap-years": ("Gap years", "Años sabáticos"),
    "letters": ("Letters of recommendation", "Cartas de recomendación"),
}

FB = "https://www.facebook.com/LMSANational/videos/"

# (slug, title, date, audience, language, topics, specialty slug, url, minutes,
#  description, panelists [(name, role)], chapters [(seconds, title)])
SESSIONS = [
    (
        "applying-to-medical-school-101",
        "Applying to Medical School 101",
        datetime.date(2021, 5, 12),
        Audience.PREMED,
        ContentLanguage.ENGLISH,
        ["applying", "letters"],
        None,
        FB + "486201389472615/",
        62,
        "Admissions deans and recent matriculants walk through the AMCAS timeline, "
        "school lists, and what a competitive application looks like.",
        [
            ("Dr. Ana Lucía Morales", "Associate Dean of Admissions"),
            ("Javier Ortega", "MS1, first-generation college graduate"),
        ],
        [
            (0, "Welcome and introductions"),
            (240, "The AMCAS timeline"),
            (1110, "Building a school list"),
            (2160, "Letters of recommendation"),
            (3120, "Audience questions"),
        ],
    ),
    (
        "mcat-study-strategies",
        "MCAT Study Strategies That Worked for Us",
        datetime.date(2021, 7, 8),
        Audience.PREMED,
        ContentLanguage.ENGLISH,
        ["mcat"],
        None,
        "https://www.youtube.com/watch?v=Mq4rT8vLx2A",
        55,
        "Three students who improved their scores by more than 10 points share study "
        "schedules, free resources, and how they handled full-length exams.",
        [
            ("Daniela Rivera", "MS2, scored 517 on her second attempt"),
            ("Luis Fernández", "MS1, studied while working full time"),
        ],
        [
            (0, "Introductions"),
            (300, "Making a study schedule"),
            (1260, "Free and low-cost resources"),
            (2100, "Full-length practice exams"),
            (2820, "Retaking the MCAT"),
        ],
    ),
    (
        "writing-your-personal-statement",
        "Writing Your Personal Statement",
        datetime.date(2021, 9, 15),
        Audience.PREMED,
        ContentLanguage.ENGLISH,
        ["personal-statement", "applying"],
        None,
        FB + "573920184635290/",
        48,
        "How to tell your story, including your identity and community, without "
        "clichés. Panelists read anonymised openings and discuss what works.",
        [("Dr. Marisol Vega", "Family Medicine, admissions committee member")],
        [
            (0, "Why the personal statement matters"),
            (420, "Finding your story"),
            (1500, "Writing about identity and community"),
            (2340, "Common mistakes"),
        ],
    ),
    (
        "preguntas-sobre-la-escuela-de-medicina",
        "Preguntas sobre la escuela de medicina",
        datetime.date(2022, 2, 3),
        Audience.BOTH,
        ContentLanguage.SPANISH,
        ["applying", "latino-physicians", "financial-aid"],
        None,
        "https://fb.watch/kLm3Qx7tRb/",
        70,
        "Una sesión en español para estudiantes y familias: cómo funciona la admisión, "
        "cuánto cuesta y cómo apoyar a un futuro médico.",
        [
            ("Dra. Gabriela Castillo", "Pediatría, Hospital Universitario"),
            ("Carlos Méndez", "Estudiante de medicina, MS3"),
        ],
        [
            (0, "Bienvenida"),
            (360, "El proceso de admisión"),
            (1800, "Costos y ayuda financiera"),
            (3000, "Preguntas de las familias"),
        ],
    ),
    (
        "financing-medical-school",
        "Financing Medical School Without Panic",
        datetime.date(2022, 4, 20),
        Audience.BOTH,
        ContentLanguage.ENGLISH,
        ["financial-aid"],
        None,
        "https://youtu.be/Zp7cW2nQe9k",
        51,
        "Fee assistance (FAP), scholarships, loans and service programs such as NHSC "
        "and HPSP, explained by a financial-aid officer.",
        [("María José Torres", "Director of Financial Aid")],
        [
            (0, "Introductions"),
            (180, "The AAMC Fee Assistance Program"),
            (960, "Scholarships for URM students"),
            (1920, "Service-commitment programs"),
        ],
    ),
    (
        "being-a-latino-physician",
        "Being a Latino Physician: Identity, Community and Medicine",
        datetime.date(2022, 9, 28),
        Audience.BOTH,
        ContentLanguage.ENGLISH,
        ["latino-physicians", "wellness"],
        None,
        FB + "1120948372615048/",
        66,
        "Physicians from four specialties talk about representation, caring for "
        "Spanish-speaking patients, and finding mentors who look like you.",
        [
            ("Dr. Roberto Salinas", "Internal Medicine, community health center"),
            ("Dr. Paola Guerrero", "Obstetrics and Gynecology"),
            ("Dr. Andrés Villalobos", "General Surgery resident, PGY-4"),
        ],
        [
            (0, "Introductions"),
            (540, "Why representation matters"),
            (1680, "Language-concordant care"),
            (2700, "Finding mentors"),
            (3480, "Advice to their younger selves"),
        ],
    ),
    (
        "research-as-a-medical-student",
        "Getting Into Research as a Medical Student",
        datetime.date(2023, 1, 18),
        Audience.MEDICAL_STUDENTS,
        ContentLanguage.ENGLISH,
        ["research"],
        None,
        "https://www.youtube.com/live/Hd3kR9sPq1w",
        45,
        "How to find a research mentor, what counts as productive research, and "
        "presenting at national conferences.",
        [
            ("Dr. Elena Paredes", "Physician-scientist, Neurology"),
            ("Sofía Navarro", "MS4, matched into Dermatology"),
        ],
        [
            (0, "Introductions"),
            (420, "Finding a mentor"),
            (1320, "Case reports, posters and papers"),
            (2220, "Research years: worth it?"),
        ],
    ),
    (
        "usmle-step-1-pass-fail",
        "USMLE Step 1 Is Pass/Fail: Now What?",
        datetime.date(2023, 3, 9),
        Audience.MEDICAL_STUDENTS,
        ContentLanguage.ENGLISH,
        ["step-exams", "match"],
        None,
        FB + "774310986254731/",
        58,
        "What programs look at now, how to prepare for Step 2 CK, and balancing board "
        "preparation with clerkships.",
        [("Dr. Tomás Aguilar", "Program Director, Internal Medicine")],
        [
            (0, "Introductions"),
            (300, "What changed with pass/fail"),
            (1500, "Step 2 CK strategy"),
            (2640, "Questions"),
        ],
    ),
    (
        "away-rotations-and-audition-electives",
        "Away Rotations and Audition Electives",
        datetime.date(2023, 6, 14),
        Audience.MEDICAL_STUDENTS,
        ContentLanguage.ENGLISH,
        ["away-rotations", "match"],
        "emergency-medicine",
        "https://www.youtube.com/watch?v=Rk8vN3cLw5Y",
        53,
        "VSLO applications, diversity visiting-student scholarships, and how to stand "
        "out (and stay humble) on an away rotation.",
        [
            ("Dr. Camila Ibarra", "Emergency Medicine, clerkship director"),
            ("Diego Ramírez", "PGY-1, Emergency Medicine"),
        ],
        [
            (0, "Introductions"),
            (240, "Choosing where to rotate"),
            (1140, "VSLO and visiting scholarships"),
            (2100, "Standing out on the rotation"),
        ],
    ),
    (
        "the-match-rank-lists-and-interviews",
        "The Match: Interviews and Rank Lists",
        datetime.date(2023, 10, 25),
        Audience.MEDICAL_STUDENTS,
        ContentLanguage.ENGLISH,
        ["match", "interviews"],
        None,
        FB + "908125634470219/",
        68,
        "Residents and a program director demystify virtual interviews, signaling, "
        "and building a rank list that reflects what matters to you.",
        [
            ("Dr. Lucía Herrera", "Program Director, Pediatrics"),
            ("Dr. Mateo Campos", "PGY-2, Family Medicine"),
        ],
        [
            (0, "Introductions"),
            (360, "Preference signaling"),
            (1440, "Virtual interview tips"),
            (2580, "Building your rank list"),
            (3600, "Couples match questions"),
        ],
    ),
    (
        "gap-years-and-postbacc-programs",
        "Gap Years and Post-Bacc Programs",
        datetime.date(2024, 2, 7),
        Audience.PREMED,
        ContentLanguage.ENGLISH,
        ["gap-years", "applying", "mcat"],
        None,
        "https://www.youtube.com/watch?v=Gp2yB6tHm0s",
        47,
        "Clinical jobs, scribing, research positions and post-baccalaureate programs: "
        "making the most of time before medical school.",
        [
            ("Valentina Cruz", "Post-bacc program coordinator"),
            ("Miguel Ángel Soto", "MS1, two gap years as a medical assistant"),
        ],
        [
            (0, "Introductions"),
            (300, "Is a gap year right for you?"),
            (1200, "Clinical and research jobs"),
            (2040, "Post-bacc programs"),
        ],
    ),
    (
        "medical-school-interviews-mmi",
        "Medical School Interviews and the MMI",
        datetime.date(2024, 9, 18),
        Audience.PREMED,
        ContentLanguage.ENGLISH,
        ["interviews", "applying"],
        None,
        FB + "1318275049916623/",
        56,
        "Practice Multiple Mini Interview stations live, with feedback from faculty "
        "interviewers.",
        [
            ("Dr. Isabel Montoya", "Faculty interviewer"),
            ("Dr. Fernando Delgado", "Psychiatry, admissions committee"),
        ],
        [
            (0, "Introductions"),
            (420, "Traditional versus MMI"),
            (1320, "Live MMI practice station"),
            (2520, "Talking about your background"),
        ],
    ),
]

UPCOMING_TITLE = "Ask Me Anything: Your First Year of Medical School"
UPCOMING_QUESTIONS = [
    ("How did you find a study method that worked in the first semester?", 3),
    ("How do you balance family responsibilities with anatomy lab?", 2),
    ("Is it too early to think about specialties in MS1?", 1),
    ("What do you wish you had known about pass/fail grading?", 0),
]


def _upcoming_start() -> datetime.datetime:
    """Next Thursday, 8 pm Eastern (at least two days ahead)."""
    now = timezone.localtime()
    day = now.date() + datetime.timedelta(days=2)
    while day.weekday() != 3:
        day += datetime.timedelta(days=1)
    naive = datetime.datetime.combine(day, datetime.time(20, 0))
    return timezone.make_aware(naive)


def load_demo() -> list[str]:
    """Create the demo archive and upcoming session (idempotent)."""
    from residency_hub.models import Specialty

    topics = {
        key: create_or_refresh(
            TopicFactory, lookup={"slug": key}, name=name, name_es=name_es
        )
        for key, (name, name_es) in TOPICS.items()
    }
    published_at = timezone.make_aware(datetime.datetime(2024, 10, 1, 12, 0))
    for (
        slug,
        title,
        date,
        audience,
        language,
        topic_keys,
        specialty_slug,
        url,
        minutes,
        description,
        panelists,
        chapters,
    ) in SESSIONS:
        video = create_or_refresh(
            VideoFactory,
            lookup={"slug": slug},
            title=title,
            date=date,
            audience=audience,
            language=language,
            video_url=url,
            duration=datetime.timedelta(minutes=minutes),
            description=description,
            specialty=Specialty.objects.filter(slug=specialty_slug).first()
            if specialty_slug
            else None,
            status=Video.Status.PUBLISHED,
            published_at=timezone.make_aware(
                datetime.datetime.combine(date, datetime.time(21, 0))
            )
            if date < published_at.date()
            else published_at,
        )
        video.topics.set([topics[key] for key in topic_keys])
        for index, (name, role) in enumerate(panelists):
            create_or_refresh(
                PanelistFactory,
                lookup={"video": video, "name": name},
                role=role,
                order=index,
            )
        for seconds, chapter_title in chapters:
            create_or_refresh(
                ChapterFactory,
                lookup={"video": video, "start_seconds": seconds},
                title=chapter_title,
            )

    session = create_or_refresh(
        UpcomingSessionFactory,
        lookup={"title": UPCOMING_TITLE},
        starts_at=_upcoming_start(),
        audience=Audience.BOTH,
        description="Second-year students answer your questions about "
        "the first year: studying, wellness, money and finding your people.",
        where_to_watch="Facebook Live on the LMSA National page",
        watch_url="https://www.facebook.com/LMSANational/",
        status=UpcomingSession.Status.PUBLISHED,
    )
    # Only people who could really vote: active members (and staff).
    voters = [u for u in User.objects.order_by("pk")[:20] if is_active_member(u)][:3]
    author = User.objects.filter(email="member@lmsa.example").first()
    for text, votes in UPCOMING_QUESTIONS:
        question = create_or_refresh(
            QuestionFactory,
            lookup={"session": session, "text": text},
            defaults={"status": Question.Status.APPROVED, "author": author},
        )
        for voter in voters[:votes]:
            create_or_refresh(
                QuestionVoteFactory, lookup={"question": question, "user": voter}
            )
    create_or_refresh(
        QuestionFactory,
        lookup={
            "session": session,
            "text": "Can the panel share how they handled imposter syndrome?",
        },
        defaults={"status": Question.Status.PENDING, "author": author},
    )
    return [
        f"AMA: {len(SESSIONS)} archived sessions at /ama/, "
        f"upcoming session with questions at {session.get_absolute_url()}"
    ]
