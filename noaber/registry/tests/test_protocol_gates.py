"""The protocol's gates are data (data/reference/registry.json, "protocol"). These tests read
that data and prove, for every phase transition and every requirement it names, that the
transition is refused without the record and allowed with it — so data and code cannot drift."""

from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.utils.html import escape

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.registry import actions
from noaber.registry.models import Outcome, Phase, PrivacyCheck, Signal, SourceCheck
from noaber.registry.reference import protocol, source_registers

from .helpers import CHECK_1, make_signal, url


def _check(signal, kind, actor):
    PrivacyCheck.objects.create(
        signal=signal,
        kind=kind,
        recipient="Team Handhaving" if kind == "2A" else "",
        original_basis="Gemeentewet art. 172",
        compatible_use=True,
        necessity="n",
        proportionality="p",
        subsidiarity="s",
        decided_by=actor,
    )


# How a test creates each kind of record a gate can require. A record kind added to the data
# without a way to create it here fails the test (KeyError), as it should.
RECORD_MAKERS = {
    "source_check": lambda signal, actor: SourceCheck.objects.create(
        signal=signal, results=[{"source": source_registers()[0], "hit": False}], decided_by=actor
    ),
}
RECORD_LABELS = {"source_check": "bronnencheck"}


def requirements(gate):
    """Each requirement of a gate as (key, value, label shown when it is missing)."""
    items = []
    for key, value in gate.items():
        if key == "requires_outcome":
            items.append((key, value, f"weging '{Outcome(value).label}'"))
        elif key == "requires_phase":
            items.append((key, value, f"fase '{Phase(value).label}'"))
        elif key == "requires_checks":
            items += [(key, check, f"privacytoets {check}") for check in value]
        elif key == "requires_records":
            items += [(key, kind, RECORD_LABELS[kind]) for kind in value]
        else:
            raise AssertionError(f"The test does not know gate requirement {key!r}")
    return items


class ProtocolDataTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.advisor)

    def satisfy(self, signal, key, value):
        if key == "requires_outcome":
            Signal.objects.filter(pk=signal.pk).update(outcome=value)
        elif key == "requires_phase":
            Signal.objects.filter(pk=signal.pk).update(phase=value)
        elif key == "requires_checks":
            _check(signal, value, self.advisor)
        elif key == "requires_records":
            RECORD_MAKERS[value](signal, self.advisor)

    def advance(self, signal, phase):
        signal.refresh_from_db()
        return self.client.post(
            url("phase", signal.pk), {"phase": phase, "version": signal.version}, follow=True
        )

    def test_every_gate_refuses_each_missing_record_and_opens_with_all(self):
        gates = protocol()
        self.assertIn("plan", gates)
        self.assertIn("source_check", gates["plan"]["requires_records"])
        for phase, gate in gates.items():
            items = requirements(gate)
            self.assertTrue(items, f"gate {phase} names nothing")
            for left_out in items:
                with self.subTest(phase=phase, missing=left_out[2]):
                    signal = make_signal(self.dinkelland, self.advisor)
                    for key, value, _label in items:
                        if (key, value) != left_out[:2]:
                            self.satisfy(signal, key, value)
                    signal.refresh_from_db()
                    before = (signal.phase, signal.version)
                    response = self.advance(signal, phase)
                    self.assertContains(response, "kan pas na", status_code=400)
                    self.assertContains(response, escape(left_out[2]), status_code=400)
                    signal.refresh_from_db()
                    self.assertEqual((signal.phase, signal.version), before)
                    self.satisfy(signal, *left_out[:2])
                    self.advance(signal, phase)
                    signal.refresh_from_db()
                    self.assertEqual(signal.phase, phase)

    def test_an_unknown_requirement_in_the_data_is_a_configuration_error(self):
        signal = make_signal(self.dinkelland, self.advisor)
        with mock.patch.object(actions, "protocol", return_value={"plan": {"requires_x": 1}}):
            with self.assertRaises(ImproperlyConfigured):
                actions.missing_for(signal, "plan")


class SourceCheckTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.advisor)
        self.signal = make_signal(self.dinkelland, self.advisor)
        self.client.post(
            url("weging", self.signal.pk),
            {"outcome": "further", "reason": "Concreet en recent.", "version": 1},
        )
        self.client.post(url("check", self.signal.pk), CHECK_1)
        self.signal.refresh_from_db()
        self.client.post(
            url("phase", self.signal.pk), {"phase": "sources", "version": self.signal.version}
        )
        self.signal.refresh_from_db()
        self.assertEqual(self.signal.phase, "sources")

    def test_the_header_tells_which_records_exist_and_which_not(self):
        page = self.client.get(url("signal", self.signal.pk))
        self.assertContains(
            page,
            "fase 3 bronnencheck — weging &#x27;verder naar fase 3&#x27; vastgelegd, "
            "privacytoets 1 vastgelegd, bronnencheck nog niet",
        )
        self.assertNotContains(page, "verder naar fase 3</strong>")

    def test_phase_4_needs_the_bronnencheck_and_then_opens(self):
        response = self.client.post(
            url("phase", self.signal.pk),
            {"phase": "plan", "version": self.signal.version},
            follow=True,
        )
        self.assertContains(response, "kan pas na: bronnencheck", status_code=400)
        self.signal.refresh_from_db()
        self.assertEqual(self.signal.phase, "sources")
        sources = source_registers()
        self.client.post(url("sources", self.signal.pk), {"bron_0": "hit", "bron_2": "nohit"})
        check = SourceCheck.objects.get(signal=self.signal)
        self.assertEqual(
            check.results,
            [{"source": sources[0], "hit": True}, {"source": sources[2], "hit": False}],
        )
        event = AuditEvent.objects.filter(detail__source_check=check.pk).get()
        # Which source gave a hit can be criminal-law data: the log holds counts only.
        self.assertEqual((event.detail["sources"], event.detail["hits"]), (2, 1))
        self.assertNotIn(sources[0], str(event.detail))
        page = self.client.get(url("signal", self.signal.pk))
        self.assertContains(page, "bronnencheck vastgelegd")
        self.signal.refresh_from_db()
        self.client.post(
            url("phase", self.signal.pk), {"phase": "plan", "version": self.signal.version}
        )
        self.signal.refresh_from_db()
        self.assertEqual(self.signal.phase, "plan")
        self.assertContains(
            self.client.get(url("signal", self.signal.pk)),
            "fase 4 plan van aanpak — bronnencheck vastgelegd",
        )

    def test_no_source_needs_a_reason_and_both_at_once_is_refused(self):
        empty = self.client.post(url("sources", self.signal.pk), {}, follow=True)
        self.assertContains(empty, "waarom geen bron is geraadpleegd", status_code=400)
        both = self.client.post(
            url("sources", self.signal.pk),
            {"bron_0": "hit", "no_source_reason": "Niet nodig."},
            follow=True,
        )
        self.assertContains(both, "niet allebei", status_code=400)
        self.assertFalse(SourceCheck.objects.exists())
        self.client.post(
            url("sources", self.signal.pk),
            {"no_source_reason": "Het pand is al bij de politie in onderzoek."},
        )
        self.assertEqual(
            SourceCheck.objects.get().no_source_reason,
            "Het pand is al bij de politie in onderzoek.",
        )

    def test_a_bronnencheck_outside_phase_3_is_refused(self):
        other = make_signal(self.dinkelland, self.advisor)
        response = self.client.post(url("sources", other.pk), {"bron_0": "hit"}, follow=True)
        self.assertContains(response, "hoort bij fase 3", status_code=400)
        self.assertFalse(SourceCheck.objects.exists())


class SourceCheckRetentionTests(NoaberTestCase):
    def test_retention_removes_the_bronnencheck_with_the_signal(self):
        from datetime import timedelta

        from django.utils import timezone

        signal = make_signal(self.dinkelland, self.advisor)
        SourceCheck.objects.create(
            signal=signal, no_source_reason="Pand al in onderzoek.", decided_by=self.advisor
        )
        Signal.objects.filter(pk=signal.pk).update(
            phase=Phase.CLOSED, outcome=Outcome.NONE, closed_at=timezone.now() - timedelta(days=400)
        )
        self.assertEqual(actions.apply_retention().done, 1)
        self.assertFalse(SourceCheck.objects.exists())
