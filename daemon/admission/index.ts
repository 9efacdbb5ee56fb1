export { Admission, JoinRequest, type Standing } from './admission.js'
export { Newcomer } from './newcomer.js'
export { roundOutcome, type JoinAnswer, type Round, type RoundOutcome } from './joining.js'
export { AskingList, type Asking } from './asking.js'
