from __future__ import annotations

import json

import pytest

from app.conversation import FrontendTask, frontend_task, standalone_question, task_reply

QUESTION = "Who says North Korea sent more troops to Russia?"


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        ([QUESTION], QUESTION),
        (
            [QUESTION, "And what did Zelensky say?"],
            "And what did Zelensky say? (North Korea sent troops Russia)",
        ),
        (
            [QUESTION, "What did Budanov say about the troops?"],
            "What did Budanov say about the troops?",
        ),
        (
            ["How many soldiers were killed?", "what about the wounded?", "Who reported it?"],
            "Who reported it? (wounded soldiers killed)",
        ),
    ],
)
def test_standalone_question(turns: list[str], expected: str) -> None:
    assert standalone_question(turns) == expected


def _task_prompt(key: str, history: str) -> str:
    # The layout of Open WebUI's task templates (backend/open_webui/config.py).
    return (
        f"### Task:\nGenerate a {key} for the chat history.\n### Guidelines:\n- Be brief.\n"
        f'### Output:\nJSON format: {{ "{key}": "..." }}\n### Examples:\n- {{ "{key}": "x" }}\n'
        f"### Chat History:\n<chat_history>\n{history}\n</chat_history>"
    )


def test_a_front_end_task_is_read_with_its_conversation() -> None:
    history = "USER: Who denied the report?\nASSISTANT: The ministry denied it [1].\nline two"
    task = frontend_task(_task_prompt("follow_ups", history))
    assert task is not None and task.key == "follow_ups"
    assert task.turns == [
        ("user", "Who denied the report?"),
        ("assistant", "The ministry denied it [1].\nline two"),
    ]


def test_questions_are_not_tasks() -> None:
    assert frontend_task("Who says North Korea sent more troops to Russia?") is None
    # A question that mentions a task but carries no conversation is still a question.
    assert frontend_task("### Task: what did the minister say about the budget?") is None


def test_task_replies_are_json_made_from_the_conversation() -> None:
    task = FrontendTask("title", [("user", "What did the Finance Ministry say about inflation?")])
    title = json.loads(task_reply(task))["title"]
    assert title and set(title.lower().split()) <= {"finance", "ministry", "inflation"}
    assert json.loads(task_reply(FrontendTask("emoji", task.turns))) == {}


def test_librechat_s_title_prompt_gets_a_bare_title() -> None:
    prompt = (
        "Provide a concise, 5-word-or-less title for the conversation, using title case "
        "conventions. Only return the title itself.\n\nConversation:\n"
        "User: What did the Finance Ministry say about inflation?\nAI: It said prices rose [1]."
    )
    task = frontend_task(prompt)
    assert task is not None and task.bare and task.turns[1][0] == "assistant"
    title = task_reply(task)
    assert not title.startswith("{")
    assert set(title.lower().split()) <= {"finance", "ministry", "inflation"}
