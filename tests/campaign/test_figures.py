from datetime import date

from campaign.figures import Filters, overview

DEC = [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)]


def test_the_daily_figures_equal_the_hand_counted_ones(campaign):
    figures = overview(Filters(first_day=DEC[0], last_day=DEC[-1]))

    rows = [(d.day, d.capacity, d.booked, d.first_doses, d.later_doses) for d in figures.days]
    assert rows == [
        (DEC[0], 4, 3, 2, 0),
        (DEC[1], 2, 2, 0, 1),
        (DEC[2], 3, 3, 1, 0),
    ]
    assert (figures.totals["doses"], figures.totals["capacity"], figures.totals["booked"]) == (4, 9, 8)


def test_a_dose_at_half_past_midnight_clinic_time_counts_on_the_clinics_local_day(campaign):
    # 00:30 in Madrid on 2 December is 23:30 UTC on 1 December.
    first = overview(Filters(first_day=DEC[0], last_day=DEC[0]))
    second = overview(Filters(first_day=DEC[1], last_day=DEC[1]))

    assert first.totals["later_doses"] == 0
    assert second.totals["later_doses"] == 1
    assert second.days[0].capacity == 2  # the slot too counts on its local day


def test_the_per_clinic_figures_equal_the_hand_counted_ones(campaign):
    figures = overview(Filters(first_day=DEC[0], last_day=DEC[-1]))

    clinics = {c.site.name: c for c in figures.clinics}
    lisbon, madrid = clinics["Lisboa Baixa"], clinics["Madrid Centro"]
    assert (madrid.checked_in, madrid.no_shows, madrid.cancelled) == (4, 1, 1)
    assert madrid.no_show_rate == 1 / 5
    assert (lisbon.checked_in, lisbon.no_shows, lisbon.cancelled) == (1, 2, 0)
    assert lisbon.no_show_rate == 2 / 3
    assert figures.totals["no_show_rate"] == 3 / 8


def test_seats_ahead_flag_clinics_below_half_and_above_ninety_five_percent(campaign):
    figures = overview(Filters(first_day=DEC[0], last_day=DEC[-1]))

    clinics = {c.site.name: c for c in figures.clinics}
    assert (clinics["Madrid Centro"].seats_left, clinics["Madrid Centro"].fill_flag) == (0, "high")
    assert (clinics["Lisboa Baixa"].seats_left, clinics["Lisboa Baixa"].fill_flag) == (8, "low")
    assert figures.totals["seats_left"] == 8
    assert [c.site.name for c in figures.high_fill] == ["Madrid Centro"]
    assert [c.site.name for c in figures.low_fill] == ["Lisboa Baixa"]


def test_a_clinic_or_vaccine_filter_narrows_every_figure(campaign):
    covid = overview(Filters(first_day=DEC[0], last_day=DEC[-1], vaccine=campaign.covid))
    lisbon = overview(Filters(first_day=DEC[0], last_day=DEC[-1], site=campaign.lisbon))

    assert (covid.totals["doses"], covid.totals["capacity"], covid.totals["later_doses"]) == (1, 2, 1)
    assert covid.totals["no_shows"] == 0
    assert (lisbon.totals["doses"], lisbon.totals["capacity"], lisbon.totals["no_shows"]) == (1, 3, 2)
    assert [c.site.name for c in lisbon.clinics] == ["Lisboa Baixa"]


def test_days_without_anything_are_shown_as_zero(campaign):
    figures = overview(Filters(first_day=date(2026, 11, 1), last_day=date(2026, 11, 30)))

    assert len(figures.days) == 30
    assert figures.totals["doses"] == figures.totals["capacity"] == 0
