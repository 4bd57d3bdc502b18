#!/usr/bin/env bash
# Builds the example programme of `qi demo` with plain qi commands, from the CSV
# files beside this script. Run it with a fresh database, e.g.:
#   qi init /tmp/programme.db && QI_DB=/tmp/programme.db bash examples/demo/build.sh
# Written by `python -m qi.demo examples/demo --today 2026-11-30`: the same
# programme as `qi demo --today 2026-11-30` (tests/test_demo.py checks it).
# Run that command with another date to date the example for another week.
set -euo pipefail
cd "$(dirname "$0")"
qi=${QI:-qi}

# Three area teams and their members
$qi team add 'North Barnet' --slug north --area North --note 'Four practices north of the A406'
$qi team add 'West Barnet' --slug west --area West --note 'Three practices and the community pharmacy'
$qi team add 'South Barnet' --slug south --area South --note 'Two large practices'
$qi member add 'Dr Aisha Patel' --role GP --team north --email aisha.patel@example.nhs.uk
$qi member add 'Sam O'"'"'Neil' --role 'practice manager' --team north
$qi member add 'Grace Okafor' --role 'practice manager' --team north
$qi member add 'Priya Shah' --role 'practice nurse' --team north
$qi member add 'Dr Tom Hughes' --role GP --team west --email tom.hughes@example.nhs.uk
$qi member add 'Helen Brooks' --role 'practice manager' --team west
$qi member add 'Marek Nowak' --role 'practice manager' --team west
$qi member add 'Chris Lee' --role 'community pharmacist' --team west --team south
$qi member add 'Dr Fatima Rahman' --role GP --team south
$qi member add 'Joanne Price' --role 'practice manager' --team south
$qi member add 'Ben Carter' --role 'practice manager' --team south
$qi member add 'Linda Evans' --role 'practice manager' --team south
$qi member add 'Yusuf Ali' --role 'practice manager' --team north --team south

# One project each, with its family of measures
$qi project add dna-rate --title 'Reduce missed nurse appointments' --team north --aim 'Reduce the did-not-attend rate for practice nurse appointments from 9% to 5% by 7 February 2027' --start 2026-05-11
$qi project add asthma-reviews --title 'Annual asthma reviews' --team west --aim 'Increase the share of due asthma reviews completed each week from 45% to 70% by 8 December 2026' --start 2026-05-11
$qi project add flu-uptake --title 'Flu vaccination for the over-65s' --team south --aim 'Raise weekly flu vaccination uptake among invited over-65s from 30% to 50% by 8 December 2026' --start 2026-05-11
$qi measure add dna --project dna-rate --name 'DNA rate, nurse appointments' --kind outcome --chart p --direction down --unit % --target 0.05 --definition 'Nurse appointments not attended / booked, per week (EMIS appointment search)' --denominator
$qi measure add sms-sent --project dna-rate --name 'Patients sent an SMS reminder' --kind process --chart p --direction up --unit % --target 0.9 --definition 'Booked nurse appointments with an SMS reminder 48 hours before / booked, per week' --denominator
$qi measure add calls --project dna-rate --name 'Reception calls about appointments' --kind balancing --chart i --direction down --unit calls/week --definition 'Calls logged at reception about nurse appointments, per week' --no-denominator
$qi measure add reviews --project asthma-reviews --name 'Due asthma reviews completed' --kind outcome --chart p --direction up --unit % --target 0.7 --definition 'Asthma reviews completed / reviews due, per week (QOF register)' --denominator
$qi measure add invites --project asthma-reviews --name 'Patients invited by text and letter' --kind process --chart p --direction up --unit % --definition 'Patients due a review who were invited, per week' --denominator
$qi measure add flu-65 --project flu-uptake --name 'Flu vaccination uptake, over-65s invited' --kind outcome --chart p --direction up --unit % --target 0.5 --definition 'Vaccinated / invited over-65s, per week (Immform extract)' --denominator
$qi measure add clinic-waits --project flu-uptake --name 'Wait at Saturday flu clinics' --kind balancing --chart i --direction down --unit minutes --definition 'Median minutes from arrival to vaccination, per week' --no-denominator

# Baseline and post-change weekly data
$qi data import dna-rate.csv --project dna-rate
$qi data import asthma-reviews.csv --project asthma-reviews
$qi data import flu-uptake.csv --project flu-uptake

# Change ideas, in each project's driver diagram
$qi idea add dna-rate 'SMS reminder 48 hours before' --primary-driver 'Patients remember their appointment' --secondary-driver Reminders
$qi idea add dna-rate 'Easy cancellation by text reply' --primary-driver 'Patients can cancel easily'
$qi idea add asthma-reviews 'Recall by text with a booking link' --primary-driver 'Patients know they are due' --secondary-driver Invitations
$qi idea add asthma-reviews 'Pharmacist reviews at the community pharmacy' --primary-driver 'Reviews fit around patients'
$qi idea add flu-uptake 'Saturday walk-in flu clinics' --primary-driver 'Vaccination is convenient' --secondary-driver 'Clinic times'
$qi idea add flu-uptake 'Opportunistic vaccination at any appointment' --primary-driver 'Vaccination is convenient'

# A ramp of PDSA cycles per project
$qi cycle new dna-rate 'SMS reminders for one nurse for one week' --idea 1 --purpose test --predict 'DNAs for that nurse fall by half' --plan 'Priya'"'"'s clinics, week of 3 August; reception sends the SMS from the clinical system' --measure dna --measure sms-sent --planned-start 2026-08-03 --no-edit
$qi cycle do 'dna-rate#1' --on 2026-08-03 --notes 'Sent 38 reminders; 4 numbers were out of date'
$qi cycle study 'dna-rate#1' --results '2 DNAs in 38 against about 4 before' --learning 'Works; mobile numbers need checking at booking'
$qi cycle act 'dna-rate#1' --decision adapt --next 'All nurses for two weeks, check numbers at booking' --completed 2026-08-16
$qi cycle new dna-rate 'SMS reminders for all nurses for two weeks' --idea 1 --purpose test --predict 'Practice DNA rate falls below 6%' --plan 'All nurse clinics; receptionists check mobile numbers at booking' --measure dna --measure sms-sent --builds-on 1 --planned-start 2026-08-17 --no-edit
$qi cycle do 'dna-rate#2' --on 2026-08-17 --notes 'Ran as planned'
$qi cycle study 'dna-rate#2' --results 'DNA rate 5.2% over the two weeks' --learning 'Sustained; no extra calls at reception'
$qi cycle act 'dna-rate#2' --decision adopt --next 'Make it standard; start the text-reply cancellation test' --completed 2026-08-30
$qi cycle new dna-rate 'Cancel by replying CANCEL' --idea 2 --purpose test --predict 'A third of would-be DNAs cancel instead' --plan 'Add the reply option to the SMS; reception rebooks the slot' --measure dna --planned-start 2026-11-16 --no-edit
$qi cycle do 'dna-rate#3' --on 2026-11-16
$qi cycle new asthma-reviews 'Text recall with booking link, one practice' --idea 3 --purpose test --predict 'Half of those texted book within a week' --plan 'Practice A, patients due from 10 August' --measure reviews --measure invites --planned-start 2026-08-10 --no-edit
$qi cycle do 'asthma-reviews#1' --on 2026-08-10 --notes '120 texts sent'
$qi cycle study 'asthma-reviews#1' --results '58 booked within a week' --learning 'Booking link works; older patients preferred a call'
$qi cycle act 'asthma-reviews#1' --decision adapt --next 'Add a phone call for over-75s; extend to all practices' --completed 2026-08-23
$qi cycle new asthma-reviews 'Pharmacist reviews for patients who do not respond' --idea 4 --purpose test --predict 'Ten extra reviews a week' --plan 'Chris at the community pharmacy, Tuesdays' --measure reviews --planned-start 2026-10-26 --no-edit
$qi cycle do 'asthma-reviews#2' --on 2026-10-26 --notes 'Room booking problems the first week'
$qi cycle new flu-uptake 'One Saturday walk-in clinic' --idea 5 --purpose test --predict '150 over-65s vaccinated' --plan 'Practice B, Saturday 22 August, two nurses and a GP' --measure flu-65 --measure clinic-waits --planned-start 2026-08-17 --no-edit
$qi cycle do 'flu-uptake#1' --on 2026-08-17 --notes 'Queue at opening; 171 vaccinated'
$qi cycle study 'flu-uptake#1' --results '171 vaccinated, waits up to 25 minutes' --learning 'Popular; stagger invitations by surname'
$qi cycle act 'flu-uptake#1' --decision adapt --next 'Monthly Saturday clinics with staggered invitations' --completed 2026-08-30
$qi cycle new flu-uptake 'Ask at every appointment for a week' --idea 6 --purpose develop --predict 'Twenty extra vaccinations' --plan 'All clinicians, week of 23 November; prompt on the clinical system' --measure flu-65 --planned-start 2026-11-23 --no-edit
$qi cycle do 'flu-uptake#2' --on 2026-11-23 --notes 'Prompt worked for GPs, less for nurses'

# The calendar of learning sessions, and notes on the charts
$qi meeting add 2026-05-20 'Learning session 1: the Model for Improvement' --programme-wide
$qi meeting add 2026-06-17 'Learning session 2: measures and baselines' --programme-wide
$qi meeting add 2026-07-15 'Learning session 3: planning PDSA cycles' --programme-wide
$qi meeting add 2026-08-12 'Learning session 4: run charts' --programme-wide
$qi meeting add 2026-09-23 'North team huddle' --team north
$qi meeting add 2026-10-14 'Learning session 5: spreading what works' --programme-wide
$qi meeting add 2026-12-09 'Learning session 6: sustaining the gains' --programme-wide
$qi note add dna-rate/dna 2026-08-10 'Practice closed for staff training: no nurse clinics'
$qi note add flu-uptake/clinic-waits 2026-10-05 'No Saturday clinic: two nurses off sick'
